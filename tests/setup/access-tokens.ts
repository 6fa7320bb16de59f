// Forged and broken access tokens for the negative matrix (RFC 8725): shared by the unit tests of
// verifyAccessToken, which assert the reason, and the HTTP tests, which assert a 401. Encoded with
// Node's Buffer, independently of the JWT library the server uses.
import { createHmac, sign, type KeyObject } from "node:crypto";
import {
  ACCESS_TOKEN_TYPE,
  CLOCK_SKEW_SECONDS,
  createAccessToken,
  type AccessTokenConfig,
  type AccessTokenRejection,
  type AccessTokenSubject,
} from "../../apps/server/src/auth/access-token.ts";
import { generateJwtPrivateKey, parseJwtPrivateKey } from "../../apps/server/src/auth/signing-key.ts";

const encodeSegment = (value: object | Uint8Array) =>
  Buffer.from(value instanceof Uint8Array ? value : JSON.stringify(value)).toString("base64url");

/** A JWT with any header and claims, signed with `privateKey`: for tokens the server would never issue. */
export function signTestJwt(header: object, payload: object, privateKey: KeyObject): string {
  const signingInput = `${encodeSegment(header)}.${encodeSegment(payload)}`;
  return `${signingInput}.${encodeSegment(sign(null, Buffer.from(signingInput), privateKey))}`;
}

/** An HS256 JWT keyed with `secret`: what an algorithm-confusion attack sends. */
export function signHs256TestJwt(header: object, payload: object, secret: Uint8Array | string): string {
  const signingInput = `${encodeSegment({ ...header, alg: "HS256" })}.${encodeSegment(payload)}`;
  return `${signingInput}.${encodeSegment(createHmac("sha256", secret).update(signingInput).digest())}`;
}

function replaceSegment(token: string, index: number, segment: string): string {
  const parts = token.split(".");
  parts[index] = segment;
  return parts.join(".");
}

export type ForgedTokenName =
  | "expired"
  | "nbf in the future"
  | "wrong aud"
  | "wrong iss"
  | "alg none"
  | "HS256 signed with the public key"
  | "unknown kid"
  | "another key under our kid"
  | "tampered payload"
  | "tampered signature"
  | "wrong typ";

/**
 * A valid token for `subject` at `now`, and one broken variant per attack, each with the reason
 * verifyAccessToken must give. Only the named defect differs from the valid token.
 */
export function forgeAccessTokens(config: AccessTokenConfig, subject: AccessTokenSubject, now: Date) {
  const { accessToken: valid } = createAccessToken(config, subject, now);
  const iat = Math.floor(now.getTime() / 1000);
  const header = { alg: "EdDSA", typ: ACCESS_TOKEN_TYPE, kid: config.signingKey.kid };
  const claims = {
    iss: config.issuer,
    sub: subject.userId,
    aud: config.audience,
    exp: iat + config.lifetimeSeconds,
    iat,
    jti: crypto.randomUUID(),
    sid: subject.sessionId,
    email: subject.email,
    name: subject.name,
  };
  const ourKey = config.signingKey.privateKey;
  const otherKey = parseJwtPrivateKey(generateJwtPrivateKey())!;
  const [, , signature] = valid.split(".") as [string, string, string];
  // A flipped bit inside the signature bytes (editing the last character could change only padding bits).
  const flipped = Buffer.from(signature, "base64url");
  flipped[10]! ^= 0x01;
  const beyondSkew = CLOCK_SKEW_SECONDS + 1;

  const forged: Record<ForgedTokenName, { token: string; reason: AccessTokenRejection }> = {
    expired: {
      token: signTestJwt(header, { ...claims, iat: iat - 600, exp: iat - beyondSkew }, ourKey),
      reason: "expired",
    },
    "nbf in the future": { token: signTestJwt(header, { ...claims, nbf: iat + beyondSkew + 60 }, ourKey), reason: "not-yet-valid" },
    "wrong aud": { token: signTestJwt(header, { ...claims, aud: "another-api" }, ourKey), reason: "audience" },
    "wrong iss": { token: signTestJwt(header, { ...claims, iss: "https://evil.example" }, ourKey), reason: "issuer" },
    "alg none": { token: `${encodeSegment({ ...header, alg: "none" })}.${encodeSegment(claims)}.`, reason: "algorithm" },
    // The classic confusion attack: the public key (which anyone can fetch) as an HMAC secret.
    "HS256 signed with the public key": {
      token: signHs256TestJwt(header, claims, config.signingKey.publicKey.export({ format: "pem", type: "spki" })),
      reason: "algorithm",
    },
    "unknown kid": { token: signTestJwt({ ...header, kid: otherKey.kid }, claims, otherKey.privateKey), reason: "unknown-key" },
    "another key under our kid": { token: signTestJwt(header, claims, otherKey.privateKey), reason: "signature" },
    "tampered payload": {
      token: replaceSegment(valid, 1, encodeSegment({ ...claims, sub: crypto.randomUUID() })),
      reason: "signature",
    },
    "tampered signature": { token: replaceSegment(valid, 2, encodeSegment(flipped)), reason: "signature" },
    "wrong typ": { token: signTestJwt({ ...header, typ: "JWT" }, claims, ourKey), reason: "type" },
  };
  return { valid, claims, header, forged };
}
