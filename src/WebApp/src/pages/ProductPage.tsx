import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { catalog } from "../api/shopApi";
import { AddToCartButton } from "../components/AddToCart";
import { Empty, ErrorMessage, Loading } from "../components/States";
import { formatMoney } from "../lib/money";
import { useQuery } from "../lib/useQuery";
import { ProductImage } from "./CatalogPage";

const MaxPerLine = 99;

export function ProductPage() {
  const { productId = "" } = useParams();
  const { state, reload } = useQuery((signal) => catalog.get(productId, signal), [productId]);
  const [quantity, setQuantity] = useState(1);

  if (state.status === "loading") return <Loading label="Loading the product…" />;
  if (state.status === "error") {
    return state.error.isNotFound ? (
      <Empty title="This product does not exist.">
        <Link to="/">Back to the catalog</Link>
      </Empty>
    ) : (
      <ErrorMessage title="The product could not be loaded" error={state.error} onRetry={reload} />
    );
  }

  const product = state.data;
  const maxQuantity = Math.max(1, Math.min(MaxPerLine, product.available));
  return (
    <article className="product-page">
      <p>
        <Link to="/">← Back to the catalog</Link>
      </p>
      <div className="product-layout">
        <ProductImage product={product} />
        <div>
          <h1>{product.name}</h1>
          <p className="muted">
            {product.category} · SKU {product.sku}
          </p>
          <p className="price large">{formatMoney(product.price, product.currency)}</p>
          <p className={product.available > 0 ? "stock" : "stock stock-out"} data-testid="stock">
            {product.available > 0 ? `${product.available} in stock` : "Out of stock"}
          </p>
          {product.description && <p className="description">{product.description}</p>}
          {product.active ? (
            <div className="buy-box">
              <div className="field quantity-field">
                <label htmlFor="product-quantity">Quantity</label>
                <input
                  id="product-quantity"
                  type="number"
                  min={1}
                  max={maxQuantity}
                  value={quantity}
                  onChange={(e) => setQuantity(Math.min(maxQuantity, Math.max(1, Math.floor(Number(e.target.value) || 1))))}
                />
              </div>
              <AddToCartButton product={product} quantity={quantity} />
            </div>
          ) : (
            <p className="notice notice-error">This product is no longer sold.</p>
          )}
        </div>
      </div>
    </article>
  );
}
