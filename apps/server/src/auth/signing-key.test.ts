import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createJsonWebKeySet,
  generateJwtPrivateKey,
  parseJsonWebKeySet,
  parseJwtPrivateKey,
  parseJwtPublicKey,
  toJsonWebKey,
} from "./signing-key.ts";

// RFC 8037 Appendix A.1-A.3: an Ed25519 public key and its RFC 7638 thumbprint.
const RFC_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
const RFC_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

const pkcs8 = (type: "ec" | "x25519") =>
  (type === "ec" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("x25519")).privateKey
    .export({ format: "der", type: "pkcs8" })
    .toString("base64url");

describe("JWT signing keys", () => {
  it("generates a one-line base64url Ed25519 key that parses back", () => {
    const value = generateJwtPrivateKey();
    expect(value).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const key = parseJwtPrivateKey(value)!;
    expect(key.privateKey.asymmetricKeyType).toBe("ed25519");
    expect(generateJwtPrivateKey()).not.toBe(value);
  });

  it("names a key by its RFC 7638 thumbprint (RFC 8037 A.3)", () => {
    expect(parseJwtPublicKey(RFC_X)?.kid).toBe(RFC_THUMBPRINT);
    const key = parseJwtPrivateKey(generateJwtPrivateKey())!;
    expect(parseJwtPublicKey(toJsonWebKey(key).x)?.kid).toBe(key.kid);
  });

  it("refuses private keys that are not Ed25519 PKCS#8", () => {
    for (const value of ["", "not-a-key", pkcs8("ec"), pkcs8("x25519"), RFC_X]) expect(parseJwtPrivateKey(value)).toBeNull();
  });

  it("refuses public keys that are not 32 bytes in canonical base64url", () => {
    for (const value of ["", "abc", `${RFC_X}=`, `${RFC_X}A`, RFC_X.replace("_", "/"), RFC_X.slice(0, -1) + "p"]) {
      expect(parseJwtPublicKey(value)).toBeNull();
    }
  });

  it("publishes only public members: kty, crv, x, kid, alg, use", () => {
    const key = parseJwtPrivateKey(generateJwtPrivateKey())!;
    const set = createJsonWebKeySet([key, parseJwtPublicKey(RFC_X)!]);
    expect(set.keys).toEqual([
      { kty: "OKP", crv: "Ed25519", x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), kid: key.kid, alg: "EdDSA", use: "sig" },
      { kty: "OKP", crv: "Ed25519", x: RFC_X, kid: RFC_THUMBPRINT, alg: "EdDSA", use: "sig" },
    ]);
    expect(JSON.stringify(set)).not.toMatch(/"d"/);
  });

  it("reads the Ed25519 signing keys of a fetched JWK Set and skips everything else", () => {
    const key = parseJwtPrivateKey(generateJwtPrivateKey())!;
    const published = toJsonWebKey(key);
    const keys = parseJsonWebKeySet({
      keys: [
        published,
        { ...published, kid: "for-encryption", use: "enc" },
        { ...published, kid: "other-alg", alg: "ES256" },
        { kty: "EC", crv: "P-256", x: "x", y: "y", kid: "ec" },
        { kty: "OKP", crv: "Ed25519", x: "short", kid: "broken" },
        null,
        "text",
      ],
    });
    expect(keys.map((entry) => entry.kid)).toEqual([key.kid]);
    expect(parseJsonWebKeySet({ keys: "none" })).toEqual([]);
    expect(parseJsonWebKeySet(null)).toEqual([]);
  });
});
