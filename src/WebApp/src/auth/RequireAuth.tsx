import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { Empty, Loading } from "../components/States";
import { useAuth } from "./AuthContext";

/** Shows its children to a signed-in user (an admin, with `admin`); sends anyone else to sign in, then back here. */
export function RequireAuth({ children, admin = false }: { children: ReactNode; admin?: boolean }) {
  const { status, isAdmin } = useAuth();
  const location = useLocation();
  if (status === "checking") return <Loading label="Checking your sign-in…" />;
  if (status === "unavailable") return null; // the layout shows the error with a retry
  if (status !== "signedIn") {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (admin && !isAdmin) {
    return (
      <Empty title="Admins only">
        <p>This page is for shop administrators. Your account does not have the admin role.</p>
      </Empty>
    );
  }
  return <>{children}</>;
}
