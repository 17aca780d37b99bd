import { describe, expect, it } from "vitest";
import { tokenFromHash } from "./verificationLink";

describe("tokenFromHash", () => {
  it("reads the token of a verification link's fragment", () => {
    expect(tokenFromHash("#token=Ab-_0123456789abcdefghijKLMN")).toBe("Ab-_0123456789abcdefghijKLMN");
  });

  it("ignores fragments without a plausible token", () => {
    expect(tokenFromHash("")).toBeNull();
    expect(tokenFromHash("#token=")).toBeNull();
    expect(tokenFromHash("#token=short")).toBeNull();
    expect(tokenFromHash("#token=<script>alert(1)</script>aaaaaaaaaaaaaaaa")).toBeNull();
    expect(tokenFromHash("#other=Ab-_0123456789abcdefghijKLMN")).toBeNull();
  });
});
