import { describe, expect, it } from "vitest";
import { pageCount, parseCatalogQuery, toApiSearch, toPageSearch, withFilters } from "./catalogQuery";

describe("catalog query", () => {
  it("reads the address bar and falls back to defaults for nonsense", () => {
    const query = parseCatalogQuery(new URLSearchParams("search=%20mug%20&sort=cheapest&page=-2&minPrice=abc&maxPrice=20"));
    expect(query).toEqual({ search: "mug", category: "", sort: "name", page: 1, pageSize: 12, minPrice: undefined, maxPrice: 20 });
  });

  it("keeps defaults out of the address bar but sends everything to the API", () => {
    const query = parseCatalogQuery(new URLSearchParams("category=Books"));
    expect(toPageSearch(query).toString()).toBe("category=Books");
    expect(toApiSearch(query)).toBe("category=Books&sort=name&page=1&pageSize=12");
  });

  it("goes back to page 1 when a filter changes", () => {
    const query = parseCatalogQuery(new URLSearchParams("page=4&sort=-price"));
    expect(withFilters(query, { category: "Apparel" })).toMatchObject({ page: 1, category: "Apparel", sort: "-price" });
  });

  it("counts pages, with at least one", () => {
    expect(pageCount(0, 12)).toBe(1);
    expect(pageCount(13, 12)).toBe(2);
  });
});
