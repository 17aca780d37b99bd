import { type FormEvent, useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { catalog } from "../api/shopApi";
import type { Product } from "../api/types";
import { AddToCartButton, availabilityText } from "../components/AddToCart";
import { Pager } from "../components/Pager";
import { Empty, ErrorMessage, Loading } from "../components/States";
import {
  type CatalogQuery, type SortKey, hasFilters, parseCatalogQuery, sortOptions, toPageSearch, withFilters,
} from "../lib/catalogQuery";
import { formatMoney } from "../lib/money";
import { useQuery } from "../lib/useQuery";

export function CatalogPage() {
  const [params, setParams] = useSearchParams();
  const query = useMemo(() => parseCatalogQuery(params), [params]);
  const go = (next: CatalogQuery) => setParams(toPageSearch(next));
  const { state, reload } = useQuery((signal) => catalog.list(query, signal), [params.toString()]);

  return (
    <section>
      <h1>Catalog</h1>
      <CatalogFilters query={query} onChange={go} />
      {state.status === "loading" && <Loading label="Loading products…" />}
      {state.status === "error" && <ErrorMessage title="The catalog could not be loaded" error={state.error} onRetry={reload} />}
      {state.status === "ready" &&
        (state.data.items.length === 0 ? (
          <Empty title={hasFilters(query) ? "No products match your search." : "The catalog is empty."}>
            {hasFilters(query) && (
              <button type="button" className="button secondary" onClick={() => go(withFilters(query, { search: "", category: "", minPrice: undefined, maxPrice: undefined }))}>
                Clear search and filters
              </button>
            )}
          </Empty>
        ) : (
          <>
            <p className="result-count" aria-live="polite">
              {state.data.total === 1 ? "1 product" : `${state.data.total} products`}
              {query.search && ` matching “${query.search}”`}
            </p>
            <ul className="product-grid" aria-label="Products">
              {state.data.items.map((product) => (
                <li key={product.id}>
                  <ProductCard product={product} />
                </li>
              ))}
            </ul>
            <Pager page={query.page} pageSize={query.pageSize} total={state.data.total} onPage={(page) => go({ ...query, page })} label="Catalog pages" />
          </>
        ))}
    </section>
  );
}

function ProductCard({ product }: { product: Product }) {
  return (
    <article className="card product-card" aria-labelledby={`product-${product.id}`}>
      <ProductImage product={product} />
      <h2 id={`product-${product.id}`} className="card-title">
        <Link to={`/products/${product.id}`}>{product.name}</Link>
      </h2>
      <p className="muted">{product.category}</p>
      <p className="price">{formatMoney(product.price, product.currency)}</p>
      <p className={product.available > 0 ? "stock" : "stock stock-out"}>{availabilityText(product.available)}</p>
      <AddToCartButton product={product} />
    </article>
  );
}

export function ProductImage({ product }: { product: Product }) {
  if (product.imageUrl) return <img className="product-image" src={product.imageUrl} alt="" loading="lazy" />;
  const initials = product.name
    .split(/\s+/)
    .slice(0, 2)
    .map((word) => word.charAt(0))
    .join("");
  return (
    <div className="product-image placeholder" aria-hidden="true">
      {initials}
    </div>
  );
}

function CatalogFilters({ query, onChange }: { query: CatalogQuery; onChange(query: CatalogQuery): void }) {
  const [search, setSearch] = useState(query.search);
  const [minPrice, setMinPrice] = useState(query.minPrice?.toString() ?? "");
  const [maxPrice, setMaxPrice] = useState(query.maxPrice?.toString() ?? "");
  const categories = useCategories(query.category);

  // Back/forward navigation changes the query under the form: show what is applied.
  useEffect(() => setSearch(query.search), [query.search]);
  useEffect(() => setMinPrice(query.minPrice?.toString() ?? ""), [query.minPrice]);
  useEffect(() => setMaxPrice(query.maxPrice?.toString() ?? ""), [query.maxPrice]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange(withFilters(query, { search: search.trim(), minPrice: toPrice(minPrice), maxPrice: toPrice(maxPrice) }));
  };

  return (
    <form role="search" className="filters" onSubmit={submit} aria-label="Search and filter products">
      <div className="field grow">
        <label htmlFor="catalog-search">Search products</label>
        <div className="inline">
          <input id="catalog-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Name or description" />
          <button type="submit" className="button">
            Search
          </button>
        </div>
      </div>
      <div className="field">
        <label htmlFor="catalog-category">Category</label>
        <select id="catalog-category" value={query.category} onChange={(e) => onChange(withFilters(query, { category: e.target.value }))}>
          <option value="">All categories</option>
          {categories.map((category) => (
            <option key={category} value={category}>
              {category}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="catalog-sort">Sort by</label>
        <select id="catalog-sort" value={query.sort} onChange={(e) => onChange(withFilters(query, { sort: e.target.value as SortKey }))}>
          {sortOptions.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field price-field">
        <label htmlFor="catalog-min">Min price</label>
        <input id="catalog-min" type="number" inputMode="decimal" min="0" step="0.01" value={minPrice} onChange={(e) => setMinPrice(e.target.value)} />
      </div>
      <div className="field price-field">
        <label htmlFor="catalog-max">Max price</label>
        <input id="catalog-max" type="number" inputMode="decimal" min="0" step="0.01" value={maxPrice} onChange={(e) => setMaxPrice(e.target.value)} />
      </div>
    </form>
  );
}

function toPrice(value: string): number | undefined {
  const number = Number(value);
  return value.trim() === "" || !Number.isFinite(number) || number < 0 ? undefined : number;
}

/**
 * The categories to filter by. The API has no category list, so they are gathered from the first 100 products; the
 * selected one is always offered so that a shared link keeps working.
 */
function useCategories(selected: string): string[] {
  const [categories, setCategories] = useState<string[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    catalog
      .list({ search: "", category: "", sort: "name", page: 1, pageSize: 100 }, controller.signal)
      .then((page) => setCategories([...new Set(page.items.map((p) => p.category))].sort()))
      .catch(() => setCategories([]));
    return () => controller.abort();
  }, []);
  return selected && !categories.some((c) => c.toLowerCase() === selected.toLowerCase()) ? [...categories, selected] : categories;
}
