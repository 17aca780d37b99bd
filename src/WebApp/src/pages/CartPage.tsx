import { type FormEvent, useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { carts } from "../api/shopApi";
import type { Cart, CartItem } from "../api/types";
import { useCart } from "../auth/CartContext";
import { Empty, ErrorMessage, Loading, Notice } from "../components/States";
import { cartProblems } from "../lib/cartRules";
import { formatMoney } from "../lib/money";
import { toApiError, useQuery } from "../lib/useQuery";
import { CheckoutForm } from "./CheckoutForm";

export function CartPage() {
  const { replace } = useCart();
  const { state, reload, setData } = useQuery((signal) => carts.get(signal), []);
  const [notice, setNotice] = useState<{ tone: "success" | "error"; text: string } | null>(null);

  useEffect(() => {
    if (state.status === "ready") replace(state.data);
  }, [state, replace]);

  if (state.status === "loading" && !state.data) return <Loading label="Loading your cart…" />;
  if (state.status === "error" && !state.data) return <ErrorMessage title="Your cart could not be loaded" error={state.error} onRetry={reload} />;
  const cart = state.data;
  if (!cart) return null;

  /** Runs a cart change; a refused change reloads the cart, since what the page shows may be stale. */
  const change = async (action: () => Promise<Cart | void>, success: string) => {
    setNotice(null);
    try {
      const updated = await action();
      setData(updated ?? { ...cart, items: [], total: 0 });
      setNotice({ tone: "success", text: success });
    } catch (e) {
      const error = toApiError(e);
      setNotice({ tone: "error", text: error.message });
      if (error.status === 409 || error.status === 412) reload();
    }
  };

  if (cart.items.length === 0) {
    return (
      <section>
        <h1>Your cart</h1>
        {notice && <Notice tone={notice.tone}>{notice.text}</Notice>}
        <Empty title="Your cart is empty.">
          <Link to="/">Browse the catalog</Link>
        </Empty>
      </section>
    );
  }

  const problems = cartProblems(cart);
  return (
    <section>
      <h1>Your cart</h1>
      {notice && <Notice tone={notice.tone}>{notice.text}</Notice>}
      {problems.priceChanged && (
        <p className="notice notice-warning" role="status">
          Some prices changed since you added the items. The cart shows today’s prices, which are what you pay.
        </p>
      )}
      <ul className="cart-lines" aria-label="Items in your cart">
        {cart.items.map((item) => (
          <li key={item.productId}>
            <CartLine
              item={item}
              currency={cart.currency}
              onQuantity={(quantity) =>
                change(
                  () => (quantity === 0 ? carts.remove(item.productId) : carts.setQuantity(item.productId, quantity)),
                  quantity === 0 ? `Removed ${item.name}.` : `Updated ${item.name}.`,
                )
              }
              onRemove={() => change(() => carts.remove(item.productId), `Removed ${item.name}.`)}
            />
          </li>
        ))}
      </ul>
      <div className="cart-summary">
        <p>
          <span>Total ({problems.itemCount === 1 ? "1 item" : `${problems.itemCount} items`})</span>{" "}
          <strong data-testid="cart-total">{formatMoney(cart.total, cart.currency)}</strong>
        </p>
        <button type="button" className="button link" onClick={() => change(() => carts.clear(), "Your cart is now empty.")}>
          Empty the cart
        </button>
      </div>
      {problems.unavailable.length > 0 ? (
        <p className="notice notice-error" role="alert">
          No longer sold: {problems.unavailable.join(", ")}. Remove {problems.unavailable.length === 1 ? "it" : "them"} to check out.
        </p>
      ) : (
        <CheckoutForm total={cart.total} currency={cart.currency} />
      )}
    </section>
  );
}

interface CartLineProps {
  item: CartItem;
  currency: string;
  onQuantity(quantity: number): Promise<void>;
  onRemove(): Promise<void>;
}

function CartLine({ item, currency, onQuantity, onRemove }: CartLineProps) {
  const [quantity, setQuantity] = useState(String(item.quantity));
  const [busy, setBusy] = useState(false);
  useEffect(() => setQuantity(String(item.quantity)), [item.quantity]);
  const inputId = `quantity-${item.productId}`;
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    try {
      await action();
    } finally {
      setBusy(false);
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = Math.floor(Number(quantity));
    if (Number.isFinite(wanted) && wanted >= 0 && wanted !== item.quantity) void run(() => onQuantity(wanted));
  };

  return (
    <article className="cart-line" aria-label={item.name}>
      <div className="cart-line-main">
        <h2 className="card-title">
          <Link to={`/products/${item.productId}`}>{item.name}</Link>
        </h2>
        <p className="muted">{formatMoney(item.unitPrice, currency)} each</p>
        {item.priceChanged && <p className="flag flag-warning">Price changed since you added it</p>}
        {item.available === false && <p className="flag flag-error">No longer sold</p>}
      </div>
      <form className="cart-line-quantity" onSubmit={submit}>
        <label htmlFor={inputId}>Quantity of {item.name}</label>
        <div className="inline">
          <input id={inputId} type="number" min={0} max={99} value={quantity} onChange={(e) => setQuantity(e.target.value)} disabled={busy} />
          <button type="submit" className="button secondary" disabled={busy || quantity === String(item.quantity)}>
            Update
          </button>
        </div>
      </form>
      <p className="line-total">{formatMoney(item.lineTotal, currency)}</p>
      <button type="button" className="button link" onClick={() => run(onRemove)} disabled={busy} aria-label={`Remove ${item.name} from the cart`}>
        Remove
      </button>
    </article>
  );
}
