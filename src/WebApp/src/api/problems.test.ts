import { describe, expect, it } from "vitest";
import { errorFromResponse } from "./problems";

describe("errorFromResponse", () => {
  it("prefers the specific detail over a general title", () => {
    const error = errorFromResponse(409, { title: "The request conflicts with the current state.", detail: "The cart is empty.", status: 409 });
    expect(error.message).toBe("The cart is empty.");
  });

  it("uses a specific title when there is no detail", () => {
    expect(errorFromResponse(401, { title: "The email or password is incorrect." }).message).toBe("The email or password is incorrect.");
  });

  it("replaces reason-phrase titles with a sentence", () => {
    expect(errorFromResponse(404, { title: "Not Found", status: 404 }).message).toBe("That could not be found. It may have been removed.");
    expect(errorFromResponse(502, undefined).message).toContain("Something went wrong on our side (HTTP 502)");
  });

  it("says how long to wait when rate limited", () => {
    expect(errorFromResponse(429, undefined, 12).message).toBe("Too many requests. Try again in 12 seconds.");
  });

  it("names validation errors by their form field", () => {
    const error = errorFromResponse(400, { errors: { "$.price": ["Bad price."], "Lines[0].Quantity": "Too many." } });
    expect(error.fieldErrors).toEqual({ price: ["Bad price."], quantity: ["Too many."] });
    expect(error.message).toBe("Bad price. Too many.");
  });
});
