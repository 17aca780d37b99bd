import { type ChangeEvent, type FormEvent, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { carts } from "../api/shopApi";
import type { ShippingAddress } from "../api/types";
import { useCart } from "../auth/CartContext";
import { Field } from "../components/Field";
import { Notice } from "../components/States";
import { keepKeyAfterFailure, newIdempotencyKey } from "../lib/ids";
import { formatMoney } from "../lib/money";
import { type PaymentToken, paymentMethods } from "../lib/paymentMethods";
import { toApiError } from "../lib/useQuery";

const emptyAddress: ShippingAddress = { name: "", line1: "", line2: "", city: "", postalCode: "", country: "" };

export function CheckoutForm({ total, currency }: { total: number; currency: string }) {
  const { replace } = useCart();
  const navigate = useNavigate();
  const [method, setMethod] = useState<PaymentToken>("pm_card_visa");
  const [address, setAddress] = useState<ShippingAddress>(emptyAddress);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useRef(newIdempotencyKey());
  const setField = (field: keyof ShippingAddress) => (e: ChangeEvent<HTMLInputElement>) => setAddress({ ...address, [field]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const shipping = shippingAddressOrNull(address);
    if (shipping === "incomplete") {
      setError("Fill in name, street, city, postal code and country of the shipping address, or leave all of it empty.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { orderId } = await carts.checkout({ paymentMethod: method, shippingAddress: shipping }, idempotencyKey.current);
      replace({ items: [], total: 0, currency });
      navigate(`/orders/${orderId}`, { state: { justPlaced: true } });
    } catch (e) {
      const problem = toApiError(e);
      if (!keepKeyAfterFailure(problem.status)) idempotencyKey.current = newIdempotencyKey();
      setError(problem.message);
      setBusy(false);
    }
  };

  return (
    <form className="checkout card" onSubmit={submit} aria-labelledby="checkout-heading">
      <h2 id="checkout-heading">Checkout</h2>
      <fieldset>
        <legend>Payment method</legend>
        <p className="field-hint">This shop uses a simulated payment provider with test cards. No real money is charged.</p>
        {paymentMethods.map((option) => (
          <label key={option.token} className="radio">
            <input type="radio" name="payment-method" value={option.token} checked={method === option.token} onChange={() => setMethod(option.token)} />
            <span>
              {option.label} <code>{option.token}</code>
            </span>
          </label>
        ))}
      </fieldset>
      <details className="shipping">
        <summary>Shipping address (optional)</summary>
        <div className="form-grid">
          <Field label="Full name" autoComplete="shipping name" value={address.name} onChange={setField("name")} />
          <Field label="Street and number" autoComplete="shipping address-line1" value={address.line1} onChange={setField("line1")} />
          <Field label="Address line 2" autoComplete="shipping address-line2" value={address.line2 ?? ""} onChange={setField("line2")} />
          <Field label="City" autoComplete="shipping address-level2" value={address.city} onChange={setField("city")} />
          <Field label="Postal code" autoComplete="shipping postal-code" value={address.postalCode} onChange={setField("postalCode")} />
          <Field label="Country" autoComplete="shipping country-name" value={address.country} onChange={setField("country")} />
        </div>
      </details>
      {error && <Notice tone="error">{error}</Notice>}
      <button type="submit" className="button large" disabled={busy}>
        {busy ? "Placing your order…" : `Place order (${formatMoney(total, currency)})`}
      </button>
    </form>
  );
}

function shippingAddressOrNull(address: ShippingAddress): ShippingAddress | null | "incomplete" {
  const required = [address.name, address.line1, address.city, address.postalCode, address.country].map((v) => v.trim());
  if (required.every((v) => v === "") && !address.line2?.trim()) return null;
  if (required.some((v) => v === "")) return "incomplete";
  const trimmed = Object.fromEntries(Object.entries(address).map(([k, v]) => [k, typeof v === "string" ? v.trim() : v])) as unknown as ShippingAddress;
  return { ...trimmed, line2: trimmed.line2 || null };
}
