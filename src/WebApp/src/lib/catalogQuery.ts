/** What the catalog page shows, kept in the address bar so that links, reloads and the back button keep it. */
export interface CatalogQuery {
  search: string;
  category: string;
  sort: SortKey;
  page: number;
  pageSize: number;
  minPrice?: number;
  maxPrice?: number;
}

export const sortOptions = [
  { value: "name", label: "Name, A to Z" },
  { value: "-name", label: "Name, Z to A" },
  { value: "price", label: "Price, low to high" },
  { value: "-price", label: "Price, high to low" },
  { value: "newest", label: "Newest first" },
] as const;

export type SortKey = (typeof sortOptions)[number]["value"];

export const CatalogPageSize = 12;
const MaxPageSize = 100;

export function parseCatalogQuery(params: URLSearchParams): CatalogQuery {
  const sort = params.get("sort") ?? "";
  return {
    search: (params.get("search") ?? "").trim(),
    category: (params.get("category") ?? "").trim(),
    sort: isSortKey(sort) ? sort : "name",
    page: positiveInteger(params.get("page")) ?? 1,
    pageSize: Math.min(positiveInteger(params.get("pageSize")) ?? CatalogPageSize, MaxPageSize),
    minPrice: price(params.get("minPrice")),
    maxPrice: price(params.get("maxPrice")),
  };
}

/** The address-bar form: defaults left out, so that a plain catalog link stays "/". */
export function toPageSearch(query: CatalogQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.search) params.set("search", query.search);
  if (query.category) params.set("category", query.category);
  if (query.sort !== "name") params.set("sort", query.sort);
  if (query.minPrice !== undefined) params.set("minPrice", String(query.minPrice));
  if (query.maxPrice !== undefined) params.set("maxPrice", String(query.maxPrice));
  if (query.page > 1) params.set("page", String(query.page));
  if (query.pageSize !== CatalogPageSize) params.set("pageSize", String(query.pageSize));
  return params;
}

/** The query string for GET /api/products. */
export function toApiSearch(query: CatalogQuery): string {
  const params = toPageSearch(query);
  params.set("sort", query.sort);
  params.set("page", String(query.page));
  params.set("pageSize", String(query.pageSize));
  return params.toString();
}

/** A change of filter starts again at page 1: page 4 of the old result may not exist in the new one. */
export function withFilters(query: CatalogQuery, change: Partial<Omit<CatalogQuery, "page">>): CatalogQuery {
  return { ...query, ...change, page: 1 };
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

export function hasFilters(query: CatalogQuery): boolean {
  return query.search !== "" || query.category !== "" || query.minPrice !== undefined || query.maxPrice !== undefined;
}

function isSortKey(value: string): value is SortKey {
  return sortOptions.some((option) => option.value === value);
}

function positiveInteger(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number >= 1 ? number : undefined;
}

function price(value: string | null): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}
