import { useState } from "react";
import { Link, NavLink, Outlet, useNavigate } from "react-router-dom";
import { useAuth } from "../auth/AuthContext";
import { useCart } from "../auth/CartContext";
import { ErrorMessage } from "./States";

export function Layout() {
  const { status, checkError, recheck } = useAuth();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <Link to="/" className="brand">
          Shop
        </Link>
        <MainNav />
        <AccountMenu />
      </header>
      <main id="main" tabIndex={-1}>
        {status === "unavailable" && checkError && (
          <ErrorMessage title="We could not check your sign-in" error={checkError} onRetry={recheck} />
        )}
        <Outlet />
      </main>
      <footer className="site-footer">
        <p>Payments in this shop are simulated: no real card is ever charged.</p>
      </footer>
    </>
  );
}

function MainNav() {
  const { status, isAdmin } = useAuth();
  const { itemCount } = useCart();
  const signedIn = status === "signedIn";
  return (
    <nav className="main-nav" aria-label="Main">
      <NavLink to="/" end>
        Catalog
      </NavLink>
      {signedIn && (
        <>
          <NavLink to="/cart">
            Cart{itemCount > 0 && <span className="count" aria-label={`, ${itemCount} items`}>{itemCount}</span>}
          </NavLink>
          <NavLink to="/orders">Orders</NavLink>
          <NavLink to="/notifications">Messages</NavLink>
        </>
      )}
      {isAdmin && (
        <>
          <NavLink to="/admin/products">Manage products</NavLink>
          <NavLink to="/admin/orders">All orders</NavLink>
        </>
      )}
    </nav>
  );
}

function AccountMenu() {
  const { status, user, logout } = useAuth();
  const navigate = useNavigate();
  const [signingOut, setSigningOut] = useState(false);
  if (status === "checking") return <div className="account" aria-hidden="true" />;
  if (status !== "signedIn" || !user) {
    return (
      <div className="account">
        <Link to="/login">Sign in</Link>
        <Link to="/register" className="button small">
          Create account
        </Link>
      </div>
    );
  }
  const signOut = async () => {
    setSigningOut(true);
    try {
      await logout();
    } finally {
      setSigningOut(false);
    }
    navigate("/", { replace: true });
  };
  return (
    <div className="account">
      <span className="account-name" title={user.email}>
        {user.name}
      </span>
      <button type="button" className="button small secondary" onClick={signOut} disabled={signingOut}>
        {signingOut ? "Signing out…" : "Sign out"}
      </button>
    </div>
  );
}
