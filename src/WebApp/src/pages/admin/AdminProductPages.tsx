import { type FormEvent, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router-dom";
import { catalog } from "../../api/shopApi";
import type { Stock } from "../../api/types";
import { Field } from "../../components/Field";
import { Empty, ErrorMessage, Loading, Notice } from "../../components/States";
import { formatDateTime, shortId } from "../../lib/money";
import { toApiError, useQuery } from "../../lib/useQuery";
import { ProductForm, type ProductDraft, draftFrom, emptyDraft, toNumber } from "./ProductForm";

export function AdminNewProductPage() {
  const navigate = useNavigate();
  const create = async (draft: ProductDraft) => {
    const product = await catalog.create({
      sku: draft.sku.trim(),
      name: draft.name.trim(),
      description: draft.description.trim(),
      price: toNumber(draft.price),
      currency: draft.currency.trim().toUpperCase(),
      category: draft.category.trim(),
      imageUrl: draft.imageUrl.trim() || null,
      stock: toNumber(draft.stock),
    });
    navigate(`/admin/products/${product.id}`, { state: { created: true } });
  };
  return (
    <section className="narrow">
      <p>
        <Link to="/admin/products">← All products</Link>
      </p>
      <h1>New product</h1>
      <ProductForm mode="create" initial={emptyDraft} onSubmit={create} />
    </section>
  );
}

export function AdminEditProductPage() {
  const { productId = "" } = useParams();
  const location = useLocation();
  const created = (location.state as { created?: boolean } | null)?.created === true;
  const { state, reload, setData } = useQuery((signal) => catalog.get(productId, signal), [productId]);

  if (state.status === "loading") return <Loading label="Loading the product…" />;
  if (state.status === "error") {
    return state.error.isNotFound ? (
      <Empty title="This product does not exist.">
        <Link to="/admin/products">All products</Link>
      </Empty>
    ) : (
      <ErrorMessage title="The product could not be loaded" error={state.error} onRetry={reload} />
    );
  }
  const product = state.data;
  const save = async (draft: ProductDraft) => {
    setData(
      await catalog.update(product.id, {
        name: draft.name.trim(),
        description: draft.description.trim(),
        price: toNumber(draft.price),
        category: draft.category.trim(),
        imageUrl: draft.imageUrl.trim() || null,
        active: draft.active,
      }),
    );
  };

  return (
    <section>
      <p>
        <Link to="/admin/products">← All products</Link>
      </p>
      <h1>{product.name}</h1>
      <p className="muted">
        SKU {product.sku} · <Link to={`/products/${product.id}`}>View in the shop</Link>
      </p>
      {created && <Notice tone="success">Product created.</Notice>}
      <div className="admin-columns">
        <ProductForm key={product.id} mode="edit" initial={draftFrom(product)} onSubmit={save} />
        <StockPanel productId={product.id} />
      </div>
    </section>
  );
}

function StockPanel({ productId }: { productId: string }) {
  const { state, reload, setData } = useQuery((signal) => catalog.stock(productId, signal), [productId]);
  return (
    <section className="card" aria-labelledby="stock-heading">
      <h2 id="stock-heading">Stock</h2>
      {state.status === "loading" && !state.data && <Loading label="Loading stock…" />}
      {state.status === "error" && <ErrorMessage title="Stock could not be loaded" error={state.error} onRetry={reload} />}
      {state.data && <StockFigures stock={state.data} />}
      <AddStockForm productId={productId} onAdded={setData} />
      {state.data?.recentMovements && state.data.recentMovements.length > 0 && (
        <>
          <h3>Recent movements</h3>
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col">Units</th>
                  <th scope="col">Order</th>
                </tr>
              </thead>
              <tbody>
                {state.data.recentMovements.map((movement, index) => (
                  <tr key={`${movement.at}-${index}`}>
                    <td>{formatDateTime(movement.at)}</td>
                    <td>{movement.kind}</td>
                    <td>{movement.quantity}</td>
                    <td>{movement.orderId ? <Link to={`/admin/orders/${movement.orderId}`}>{shortId(movement.orderId)}</Link> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function StockFigures({ stock }: { stock: Stock }) {
  return (
    <dl className="figures">
      <div>
        <dt>On hand</dt>
        <dd data-testid="stock-on-hand">{stock.onHand}</dd>
      </div>
      <div>
        <dt>Reserved</dt>
        <dd>{stock.reserved}</dd>
      </div>
      <div>
        <dt>Available</dt>
        <dd data-testid="stock-available">{stock.available}</dd>
      </div>
      <div>
        <dt>Sold</dt>
        <dd>{stock.sold}</dd>
      </div>
    </dl>
  );
}

function AddStockForm({ productId, onAdded }: { productId: string; onAdded(stock: Stock): void }) {
  const [quantity, setQuantity] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const units = toNumber(quantity);
    if (!Number.isInteger(units) || units < 1) {
      setMessage({ tone: "error", text: "Enter a whole number of units, 1 or more." });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      onAdded(await catalog.addStock(productId, units));
      setQuantity("");
      setMessage({ tone: "success", text: `Added ${units} units.` });
    } catch (e) {
      setMessage({ tone: "error", text: toApiError(e).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} noValidate aria-label="Add stock">
      <Field label="Units to add" type="number" min="1" step="1" value={quantity} onChange={(e) => setQuantity(e.target.value)} />
      <button type="submit" className="button" disabled={busy}>
        {busy ? "Adding…" : "Add stock"}
      </button>
      {message && <Notice tone={message.tone}>{message.text}</Notice>}
    </form>
  );
}
