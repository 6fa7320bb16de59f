import { describe, expect, it } from "vitest";
import { isCommonPassword } from "./common-password.ts";

describe("isCommonPassword", () => {
  it("finds passwords of the common list in any letter case, and nothing else", async () => {
    for (const password of ["password", "Password", "12345678", "iloveyou", "qwertyuiop", "PASSWORD1"]) {
      expect(await isCommonPassword(password), password).toBe(true);
    }
    expect(await isCommonPassword("correct horse battery staple")).toBe(false);
    expect(await isCommonPassword("vR7#kq2!Lm")).toBe(false);
  });
});
