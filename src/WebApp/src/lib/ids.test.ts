import { describe, expect, it } from "vitest";
import { keepKeyAfterFailure, newIdempotencyKey } from "./ids";
import { safeNext } from "./safeNext";

describe("idempotency keys", () => {
  it("are version 4 UUIDs, different each time", () => {
    const key = newIdempotencyKey();
    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(newIdempotencyKey()).not.toBe(key);
  });

  it("survive a failure that may have reached the server, not a clear refusal", () => {
    expect(keepKeyAfterFailure(0)).toBe(true);
    expect(keepKeyAfterFailure(503)).toBe(true);
    expect(keepKeyAfterFailure(409)).toBe(false);
    expect(keepKeyAfterFailure(422)).toBe(false);
  });
});

describe("safeNext", () => {
  it("allows paths on this site only", () => {
    expect(safeNext("/orders/1?x=2")).toBe("/orders/1?x=2");
    expect(safeNext("//evil.example/")).toBe("/");
    expect(safeNext("https://evil.example/")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });
});
