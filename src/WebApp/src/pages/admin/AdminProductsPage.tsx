import { type FormEvent, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { catalog } from "../../api/shopApi";
import { Pager } from "../../components/Pager";
import { Empty, ErrorMessage, Loading } from "../../components/States";
import { parseCatalogQuery, toPageSearch, withFilters } from "../../lib/catalogQuery";
import { formatMoney } from "../../lib/money";
import { useQuery } from "../../lib/useQuery";

export function AdminProductsPage() {
  const [params, setParams] = useSearchParams();
  const query = useMemo(() => parseCatalogQuery(params), [params]);
  const { state, reload } = useQuery((signal) => catalog.list(query, signal), [params.toString()]);
  const [search, setSearch] = useState(query.search);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setParams(toPageSearch(withFilters(query, { search: search.trim() })));
  };

  return (
    <section>
      <div className="title-row">
        <h1>Manage products</h1>
        <Link to="/admin/products/new" className="button">
          New product
        </Link>
      </div>
      <form role="search" className="filters" onSubmit={submit} aria-label="Search products">
        <div className="field grow">
          <label htmlFor="admin-search">Search products</label>
          <div className="inline">
            <input id="admin-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
            <button type="submit" className="button secondary">
              Search
            </button>
          </div>
        </div>
      </form>
      <p className="muted">Lists the products on sale; a deactivated product stays reachable through its own page.</p>
      {state.status === "loading" && <Loading label="Loading products…" />}
      {state.status === "error" && <ErrorMessage title="The products could not be loaded" error={state.error} onRetry={reload} />}
      {state.status === "ready" &&
        (state.data.items.length === 0 ? (
          <Empty title="No products found." />
        ) : (
          <>
            <div className="table-scroll">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">SKU</th>
                    <th scope="col">Category</th>
                    <th scope="col">Price</th>
                    <th scope="col">Available</th>
                  </tr>
                </thead>
                <tbody>
                  {state.data.items.map((product) => (
                    <tr key={product.id}>
                      <td>
                        <Link to={`/admin/products/${product.id}`} aria-label={`Edit ${product.name}`}>
                          {product.name}
                        </Link>
                      </td>
                      <td>{product.sku}</td>
                      <td>{product.category}</td>
                      <td>{formatMoney(product.price, product.currency)}</td>
                      <td>{product.available}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager page={query.page} pageSize={query.pageSize} total={state.data.total} onPage={(page) => setParams(toPageSearch({ ...query, page }))} />
          </>
        ))}
    </section>
  );
}
