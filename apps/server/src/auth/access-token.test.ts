import { createPrivateKey, sign } from "node:crypto";
import { createJWTSignatureMessage, encodeJWT, parseJWT } from "@oslojs/jwt";
import { describe, expect, it } from "vitest";
import { forgeAccessTokens, signHs256TestJwt, signTestJwt } from "../../../../tests/setup/access-tokens.ts";
import {
  CLOCK_SKEW_SECONDS,
  createAccessToken,
  verifyAccessToken,
  type AccessTokenConfig,
  type AccessTokenRejection,
} from "./access-token.ts";
import { generateJwtPrivateKey, parseJwtPrivateKey, type VerificationKey } from "./signing-key.ts";

const SECOND = 1000;
const T0 = new Date("2026-01-01T00:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * SECOND);

const signingKey = parseJwtPrivateKey(generateJwtPrivateKey())!;
const config: AccessTokenConfig = {
  signingKey,
  verificationKeys: [signingKey],
  issuer: "https://app.example.com",
  audience: "latchkey-api",
  lifetimeSeconds: 300,
};
const subject = { userId: "user-1", sessionId: "session-1", email: "ada@example.com", name: "Ada" };
const { valid, claims, header, forged } = forgeAccessTokens(config, subject, T0);

const verify = (token: string, now = T0, keys: readonly VerificationKey[] = config.verificationKeys) =>
  verifyAccessToken(token, keys, config, now);
const rejection = (reason: AccessTokenRejection) => ({ ok: false, reason });

describe("createAccessToken", () => {
  it("signs an at+jwt with EdDSA, our kid and the session's claims, for the configured lifetime", () => {
    const { accessToken, expiresAt } = createAccessToken(config, subject, T0);
    const [tokenHeader, payload] = parseJWT(accessToken);
    expect(tokenHeader).toEqual({ alg: "EdDSA", typ: "at+jwt", kid: signingKey.kid });
    expect(payload).toEqual({
      iss: "https://app.example.com",
      sub: "user-1",
      aud: "latchkey-api",
      exp: T0.getTime() / SECOND + 300,
      iat: T0.getTime() / SECOND,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      sid: "session-1",
      email: "ada@example.com",
      name: "Ada",
    });
    expect(expiresAt).toEqual(at(300));
  });

  it("gives every token its own jti", () => {
    const ids = new Set(Array.from({ length: 50 }, () => (parseJWT(createAccessToken(config, subject, T0).accessToken)[1] as { jti: string }).jti));
    expect(ids.size).toBe(50);
  });

  it("signs the exact JWS signing input (RFC 8037 A.4 known answer)", () => {
    const key = createPrivateKey({
      key: { kty: "OKP", crv: "Ed25519", d: "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" },
      format: "jwk",
    });
    const headerJSON = '{"alg":"EdDSA"}';
    const payload = "Example of Ed25519 signing";
    expect(encodeJWT(headerJSON, payload, sign(null, createJWTSignatureMessage(headerJSON, payload), key))).toBe(
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
    );
  });
});

describe("verifyAccessToken", () => {
  it("accepts a token it issued and returns its claims", () => {
    expect(verify(valid)).toEqual({ ok: true, claims: expect.objectContaining({ sub: "user-1", sid: "session-1", email: "ada@example.com" }) });
  });

  it("accepts the long media type form of typ (RFC 9068 §4) and an aud array that includes ours", () => {
    expect(verify(signTestJwt({ ...header, typ: "application/at+jwt" }, claims, signingKey.privateKey)).ok).toBe(true);
    expect(verify(signTestJwt(header, { ...claims, aud: ["other-api", "latchkey-api"] }, signingKey.privateKey)).ok).toBe(true);
  });

  it("accepts a token signed with a previous key that is still published (rotation)", () => {
    const next = parseJwtPrivateKey(generateJwtPrivateKey())!;
    const afterRotation = [next, { kid: signingKey.kid, publicKey: signingKey.publicKey }];
    expect(verify(valid, T0, afterRotation).ok).toBe(true);
    expect(verify(valid, T0, [next])).toEqual(rejection("unknown-key"));
  });

  it("rejects an expired token", () => {
    expect(verify(forged.expired.token)).toEqual(rejection("expired"));
  });

  it("tolerates a small clock skew at expiry, and no more", () => {
    expect(verify(valid, at(300 + CLOCK_SKEW_SECONDS - 1)).ok).toBe(true);
    expect(verify(valid, at(300 + CLOCK_SKEW_SECONDS))).toEqual(rejection("expired"));
  });

  it("rejects a token whose nbf is in the future", () => {
    expect(verify(forged["nbf in the future"].token)).toEqual(rejection("not-yet-valid"));
  });

  it("rejects a token issued in the future beyond the skew", () => {
    const token = signTestJwt(header, { ...claims, iat: claims.iat + 120, exp: claims.exp + 120 }, signingKey.privateKey);
    expect(verify(token)).toEqual(rejection("not-yet-valid"));
  });

  it("rejects the wrong audience", () => {
    expect(verify(forged["wrong aud"].token)).toEqual(rejection("audience"));
  });

  it("rejects the wrong issuer", () => {
    expect(verify(forged["wrong iss"].token)).toEqual(rejection("issuer"));
  });

  it('rejects alg "none" (unsigned)', () => {
    expect(verify(forged["alg none"].token)).toEqual(rejection("algorithm"));
  });

  it("rejects HS256 signed with the public key, as PEM text or as raw bytes", () => {
    expect(verify(forged["HS256 signed with the public key"].token)).toEqual(rejection("algorithm"));
    const raw = signingKey.publicKey.export({ format: "der", type: "spki" }).subarray(-32);
    expect(verify(signHs256TestJwt(header, claims, raw))).toEqual(rejection("algorithm"));
  });

  it("rejects any other algorithm, whatever the key", () => {
    for (const alg of ["ES256", "RS256", "Ed25519", "eddsa", undefined]) {
      expect(verify(signTestJwt({ ...header, alg }, claims, signingKey.privateKey))).toEqual(rejection("algorithm"));
    }
  });

  it("rejects an unknown kid", () => {
    expect(verify(forged["unknown kid"].token)).toEqual(rejection("unknown-key"));
    const { kid: _kid, ...withoutKid } = header;
    expect(verify(signTestJwt(withoutKid, claims, signingKey.privateKey))).toEqual(rejection("unknown-key"));
  });

  it("rejects another key's signature under our kid", () => {
    expect(verify(forged["another key under our kid"].token)).toEqual(rejection("signature"));
  });

  it("rejects a tampered payload", () => {
    expect(verify(forged["tampered payload"].token)).toEqual(rejection("signature"));
  });

  it("rejects a tampered signature", () => {
    expect(verify(forged["tampered signature"].token)).toEqual(rejection("signature"));
  });

  it("rejects the wrong typ, or none", () => {
    expect(verify(forged["wrong typ"].token)).toEqual(rejection("type"));
    const { typ: _typ, ...withoutTyp } = header;
    expect(verify(signTestJwt(withoutTyp, claims, signingKey.privateKey))).toEqual(rejection("type"));
  });

  it("rejects a token that requires a header extension (crit)", () => {
    expect(verify(signTestJwt({ ...header, crit: ["exp"] }, claims, signingKey.privateKey))).toEqual(rejection("malformed"));
  });

  it("rejects a signed token with missing or mistyped claims", () => {
    const { sid: _sid, ...withoutSid } = claims;
    for (const payload of [withoutSid, { ...claims, exp: String(claims.exp) }, { ...claims, aud: [1] }, { ...claims, sub: 42 }]) {
      expect(verify(signTestJwt(header, payload, signingKey.privateKey))).toEqual(rejection("claims"));
    }
  });

  it("rejects what is not a compact JWT, and a padded signature (one spelling per token)", () => {
    for (const token of ["", "garbage", "a.b", "a.b.c.d", `${valid}.`, `${valid}==`, `${valid.slice(0, 20)}!${valid.slice(21)}`, "x".repeat(10_000)]) {
      expect(verify(token)).toEqual(rejection("malformed"));
    }
  });
});
