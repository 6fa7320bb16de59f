import { describe, expect, it } from "vitest";
import { isCommonPassword } from "./common-password.ts";

describe("isCommonPassword", () => {
  it("finds passwords of the common list in any letter case, and nothing else", () => {
    for (const password of ["password", "Password", "12345678", "iloveyou", "qwertyuiop", "PASSWORD1"]) {
      expect(isCommonPassword(password), password).toBe(true);
    }
    expect(isCommonPassword("correct horse battery staple")).toBe(false);
    expect(isCommonPassword("vR7#kq2!Lm")).toBe(false);
  });
});
