import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateSessionToken, hashSessionSecret, parseSessionToken, verifySessionSecret } from "./token.ts";

describe("session token", () => {
  it("is <id>.<secret> with a 120-bit id and a 256-bit secret in lower-case base32", () => {
    const { id, secret, token } = generateSessionToken();
    expect(token).toBe(`${id}.${secret}`);
    expect(id).toMatch(/^[a-z2-7]{24}$/);
    expect(secret).toMatch(/^[a-z2-7]{52}$/);
  });

  it("is different every time", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => generateSessionToken().token));
    expect(tokens.size).toBe(1000);
  });

  it("parses what it issues and nothing else", () => {
    const { id, secret, token } = generateSessionToken();
    expect(parseSessionToken(token)).toEqual({ id, secret });
    for (const bad of ["", id, `${id}.`, `.${secret}`, `${id}.${secret}x`, `${id.toUpperCase()}.${secret}`, `${id}.${secret}.x`, ` ${token}`]) {
      expect(parseSessionToken(bad)).toBeNull();
    }
  });

  it("stores only SHA-256 of the secret and verifies it", () => {
    const { secret } = generateSessionToken();
    const hash = hashSessionSecret(secret);
    expect(hash).toHaveLength(32);
    expect(Buffer.from(hash).toString("hex")).toBe(
      createHash("sha256").update(secret).digest("hex"),
    );
    expect(verifySessionSecret(secret, hash)).toBe(true);
    expect(verifySessionSecret(generateSessionToken().secret, hash)).toBe(false);
    expect(verifySessionSecret(secret, hash.subarray(0, 31))).toBe(false);
  });
});
