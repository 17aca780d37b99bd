import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { carts } from "../api/shopApi";
import type { Cart } from "../api/types";
import { useAuth } from "./AuthContext";

interface CartValue {
  /** The signed-in shopper's cart as last seen, null before it loaded or when signed out. */
  cart: Cart | null;
  itemCount: number;
  replace(cart: Cart | null): void;
  refresh(): Promise<void>;
}

const CartContext = createContext<CartValue | null>(null);

/** Keeps the cart the header counts and the pages change in one place. */
export function CartProvider({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  const [cart, setCart] = useState<Cart | null>(null);

  const refresh = useCallback(async () => {
    try {
      setCart(await carts.get());
    } catch {
      // The header count is a convenience; the cart page shows its own loading errors.
    }
  }, []);

  useEffect(() => {
    if (status === "signedIn") void refresh();
    else if (status === "signedOut") setCart(null);
  }, [status, refresh]);

  const value = useMemo<CartValue>(
    () => ({ cart, itemCount: cart?.items.reduce((sum, item) => sum + item.quantity, 0) ?? 0, replace: setCart, refresh }),
    [cart, refresh],
  );
  return <CartContext.Provider value={value}>{children}</CartContext.Provider>;
}

export function useCart(): CartValue {
  const value = useContext(CartContext);
  if (!value) throw new Error("useCart needs a CartProvider above it");
  return value;
}
