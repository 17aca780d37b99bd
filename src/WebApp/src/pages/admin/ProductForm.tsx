import { type FormEvent, useState } from "react";
import { ApiError } from "../../api/problems";
import type { Product } from "../../api/types";
import { Field, TextAreaField } from "../../components/Field";
import { Notice } from "../../components/States";
import { toApiError } from "../../lib/useQuery";

/** The editable part of a product, as typed (numbers stay strings until sent). */
export interface ProductDraft {
  sku: string;
  name: string;
  description: string;
  price: string;
  currency: string;
  category: string;
  imageUrl: string;
  stock: string;
  active: boolean;
}

export const emptyDraft: ProductDraft = { sku: "", name: "", description: "", price: "", currency: "EUR", category: "", imageUrl: "", stock: "0", active: true };

export function draftFrom(product: Product): ProductDraft {
  return {
    sku: product.sku,
    name: product.name,
    description: product.description,
    price: String(product.price),
    currency: product.currency,
    category: product.category,
    imageUrl: product.imageUrl ?? "",
    stock: "0",
    active: product.active,
  };
}

interface ProductFormProps {
  mode: "create" | "edit";
  initial: ProductDraft;
  onSubmit(draft: ProductDraft): Promise<void>;
}

/** Create and edit share one form; SKU, currency and initial stock only exist when creating. */
export function ProductForm({ mode, initial, onSubmit }: ProductFormProps) {
  const [draft, setDraft] = useState(initial);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const set = (field: keyof ProductDraft) => (e: { target: { value: string } }) => {
    setSaved(false);
    setDraft({ ...draft, [field]: e.target.value });
  };
  const errors = error?.fieldErrors ?? {};

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const problem = draftProblem(draft, mode);
      if (problem) throw problem;
      await onSubmit(draft);
      setSaved(true);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form card" onSubmit={submit} noValidate aria-label={mode === "create" ? "New product" : "Product details"}>
      {mode === "create" && (
        <Field label="SKU" required value={draft.sku} onChange={set("sku")} errors={errors.sku} hint="Letters, digits, dot, dash or underscore; unique." />
      )}
      <Field label="Name" required value={draft.name} onChange={set("name")} errors={errors.name} />
      <TextAreaField label="Description" rows={3} value={draft.description} onChange={set("description")} errors={errors.description} />
      <div className="form-grid">
        <Field label="Price" type="number" inputMode="decimal" min="0.01" step="0.01" required value={draft.price} onChange={set("price")} errors={errors.price} />
        {mode === "create" && (
          <Field label="Currency" required maxLength={3} value={draft.currency} onChange={set("currency")} errors={errors.currency} hint="Three letters, e.g. EUR." />
        )}
        <Field label="Category" required value={draft.category} onChange={set("category")} errors={errors.category} />
        {mode === "create" && (
          <Field label="Initial stock" type="number" min="0" step="1" value={draft.stock} onChange={set("stock")} errors={errors.stock} />
        )}
      </div>
      <Field label="Image URL" type="url" value={draft.imageUrl} onChange={set("imageUrl")} errors={errors.imageUrl} hint="Optional." />
      {mode === "edit" && (
        <label className="checkbox">
          <input type="checkbox" checked={draft.active} onChange={(e) => setDraft({ ...draft, active: e.target.checked })} /> On sale (shown in the catalog)
        </label>
      )}
      {error && <Notice tone="error">{error.message}</Notice>}
      {saved && mode === "edit" && <Notice tone="success">Changes saved.</Notice>}
      <button type="submit" className="button" disabled={busy}>
        {busy ? "Saving…" : mode === "create" ? "Create product" : "Save changes"}
      </button>
    </form>
  );
}

export function toNumber(value: string): number {
  return value.trim() === "" ? Number.NaN : Number(value);
}

/** The mistakes the browser can spot before asking the server (which checks everything again). */
function draftProblem(draft: ProductDraft, mode: "create" | "edit"): ApiError | null {
  const errors: Record<string, string[]> = {};
  const price = toNumber(draft.price);
  if (!(price > 0)) errors.price = ["Enter a price above zero, e.g. 12.50."];
  if (!draft.name.trim()) errors.name = ["Enter a name."];
  if (!draft.category.trim()) errors.category = ["Enter a category."];
  if (mode === "create") {
    if (!draft.sku.trim()) errors.sku = ["Enter a SKU."];
    const stock = toNumber(draft.stock);
    if (!Number.isInteger(stock) || stock < 0) errors.stock = ["Enter a whole number of units, 0 or more."];
  }
  return Object.keys(errors).length === 0 ? null : new ApiError(400, "Check the highlighted fields.", { errors });
}
