import { useState } from "react";
import { Link, useLocation, useNavigate } from "react-router-dom";
import { carts } from "../api/shopApi";
import type { Product } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { useCart } from "../auth/CartContext";
import { toApiError } from "../lib/useQuery";
import { Notice } from "./States";

/** Adds a product to the cart; a signed-out shopper is sent to sign in and brought back. */
export function AddToCartButton({ product, quantity = 1 }: { product: Product; quantity?: number }) {
  const { status } = useAuth();
  const { replace } = useCart();
  const navigate = useNavigate();
  const location = useLocation();
  const [state, setState] = useState<{ kind: "idle" | "busy" | "added" } | { kind: "error"; message: string }>({ kind: "idle" });
  const soldOut = product.available <= 0;

  const add = async () => {
    if (status !== "signedIn") {
      navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
      return;
    }
    setState({ kind: "busy" });
    try {
      replace(await carts.add(product.id, quantity));
      setState({ kind: "added" });
    } catch (e) {
      setState({ kind: "error", message: toApiError(e).message });
    }
  };

  return (
    <div className="add-to-cart">
      <button type="button" className="button" onClick={add} disabled={soldOut || state.kind === "busy"} aria-label={`Add ${product.name} to cart`}>
        {soldOut ? "Sold out" : state.kind === "busy" ? "Adding…" : "Add to cart"}
      </button>
      {state.kind === "added" && (
        <Notice tone="success">
          Added {product.name} to your cart. <Link to="/cart">View cart</Link>
        </Notice>
      )}
      {state.kind === "error" && <Notice tone="error">{state.message}</Notice>}
    </div>
  );
}

export function availabilityText(available: number): string {
  if (available <= 0) return "Out of stock";
  if (available <= 5) return `Only ${available} left`;
  return "In stock";
}
