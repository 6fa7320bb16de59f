// Short-lived JWT access tokens (DESIGN §4, RFC 9068 profile): EdDSA/Ed25519, issued from a live
// session and verified with no database query. Pure: the server and apps/server/src/verify-access-token.ts
// share verifyAccessToken, so "another service" checks exactly what the API checks.
import { randomUUID, sign, verify } from "node:crypto";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { createJWTSignatureMessage, encodeJWT, JWTRegisteredClaims, parseJWT } from "@oslojs/jwt";
import type { SigningKey, VerificationKey } from "./signing-key.ts";

/** The only algorithm accepted (RFC 8725 §3.1): never taken from the token itself. */
const ALGORITHM = "EdDSA";
export const ACCESS_TOKEN_TYPE = "at+jwt";
// RFC 9068 §4 lets resource servers accept the media type's long form as well.
const ACCEPTED_TYPES = new Set([ACCESS_TOKEN_TYPE, "application/at+jwt"]);
/** Tolerated difference between the issuer's clock and the verifier's, for exp, nbf and iat. */
export const CLOCK_SKEW_SECONDS = 30;
// Far above any token we issue (~600 bytes); bounds the work spent on garbage.
const MAX_TOKEN_LENGTH = 8_192;
const MS_PER_SECOND = 1_000;

export interface AccessTokenConfig {
  signingKey: SigningKey;
  /** Keys a token may be signed with: the signing key, then JWT_EXTRA_PUBLIC_KEYS. All are published. */
  verificationKeys: readonly VerificationKey[];
  issuer: string;
  audience: string;
  lifetimeSeconds: number;
}

export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
  email: string;
  name: string;
  /** Becomes `email_verified`; left out, the claim is too (verifiedProcedure then reads the row). */
  emailVerified?: boolean;
}

export interface AccessTokenClaims {
  iss: string;
  /** The user id. */
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nbf?: number;
  jti: string;
  /** The session the token was issued from. */
  sid: string;
  // Profile claims, so `auth.me` and most procedures need no query; at most one lifetime stale.
  email: string;
  name: string;
  /** OIDC's claim; a token without it counts as unverified (verifiedProcedure then reads the row). */
  email_verified?: boolean;
}

export interface AccessTokenExpectations {
  issuer: string;
  audience: string;
}

export const ACCESS_TOKEN_REJECTIONS = {
  malformed: "not a well-formed JWT",
  algorithm: `the algorithm is not ${ALGORITHM}`,
  type: `the typ header is not ${ACCESS_TOKEN_TYPE}`,
  "unknown-key": "the kid names no published key",
  signature: "the signature does not verify",
  claims: "required claims are missing or of the wrong type",
  issuer: "the issuer (iss) is not the expected one",
  audience: "the audience (aud) does not include the expected one",
  expired: "the token has expired",
  "not-yet-valid": "the token is not valid yet (nbf or iat in the future)",
} as const;

export type AccessTokenRejection = keyof typeof ACCESS_TOKEN_REJECTIONS;
export type AccessTokenVerification = { ok: true; claims: AccessTokenClaims } | { ok: false; reason: AccessTokenRejection };

export function createAccessToken(
  config: AccessTokenConfig,
  subject: AccessTokenSubject,
  now: Date,
): { accessToken: string; expiresAt: Date } {
  const iat = Math.floor(now.getTime() / MS_PER_SECOND);
  const claims: AccessTokenClaims = {
    iss: config.issuer,
    sub: subject.userId,
    aud: config.audience,
    exp: iat + config.lifetimeSeconds,
    iat,
    jti: randomUUID(),
    sid: subject.sessionId,
    email: subject.email,
    name: subject.name,
    ...(subject.emailVerified === undefined ? {} : { email_verified: subject.emailVerified }),
  };
  const headerJSON = JSON.stringify({ alg: ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid: config.signingKey.kid });
  const payloadJSON = JSON.stringify(claims);
  // Ed25519 signs the message itself (no pre-hash), hence the null digest.
  const signature = sign(null, createJWTSignatureMessage(headerJSON, payloadJSON), config.signingKey.privateKey);
  return { accessToken: encodeJWT(headerJSON, payloadJSON, signature), expiresAt: new Date(claims.exp * MS_PER_SECOND) };
}

/**
 * Verifies an access token against a set of public keys (RFC 8725): EdDSA only, `typ` at+jwt,
 * `kid` among `keys`, the signature over the exact signing input, then iss, aud, exp, nbf and iat
 * with CLOCK_SKEW_SECONDS of tolerance. Says why a token is rejected; trusts nothing before the
 * signature has verified except what picks the key.
 */
export function verifyAccessToken(
  token: string,
  keys: readonly VerificationKey[],
  expected: AccessTokenExpectations,
  now: Date,
): AccessTokenVerification {
  const reject = (reason: AccessTokenRejection): AccessTokenVerification => ({ ok: false, reason });
  if (token.length > MAX_TOKEN_LENGTH) return reject("malformed");
  let parsed: ReturnType<typeof parseJWT>;
  try {
    parsed = parseJWT(token);
  } catch {
    return reject("malformed");
  }
  const [header, payload, signature, signingInput] = parsed;
  // One spelling per signature (no padding, no alternative encodings): tokens are not malleable.
  if (encodeBase64urlNoPadding(signature) !== token.slice(token.lastIndexOf(".") + 1)) return reject("malformed");

  const { alg, typ, kid, crit } = header as Record<string, unknown>;
  if (alg !== ALGORITHM) return reject("algorithm");
  if (typeof typ !== "string" || !ACCEPTED_TYPES.has(typ)) return reject("type");
  // RFC 7515 §4.1.11: we understand no header extensions, so a token that requires one is invalid.
  if (crit !== undefined) return reject("malformed");
  // Keys come only from our own list; jku, jwk and x5u headers are never followed.
  const key = typeof kid === "string" ? keys.find((candidate) => candidate.kid === kid) : undefined;
  if (!key) return reject("unknown-key");
  if (!verifyEd25519(signingInput, signature, key)) return reject("signature");

  const claims = readClaims(payload);
  if (!claims) return reject("claims");
  if (claims.iss !== expected.issuer) return reject("issuer");
  const audiences = typeof claims.aud === "string" ? [claims.aud] : claims.aud;
  if (!audiences.includes(expected.audience)) return reject("audience");
  const lifetime = checkAccessTokenLifetime(claims, now);
  return lifetime ? reject(lifetime) : { ok: true, claims };
}

/**
 * The only checks whose outcome changes with time (exp, nbf, iat, with CLOCK_SKEW_SECONDS): null
 * when the token is within its lifetime at `now`. Everything else verifyAccessToken checks
 * depends on the token's bytes and the configuration alone.
 */
export function checkAccessTokenLifetime(claims: AccessTokenClaims, now: Date): "expired" | "not-yet-valid" | null {
  const nowSeconds = now.getTime() / MS_PER_SECOND;
  if (nowSeconds >= claims.exp + CLOCK_SKEW_SECONDS) return "expired";
  if (claims.nbf !== undefined && nowSeconds < claims.nbf - CLOCK_SKEW_SECONDS) return "not-yet-valid";
  if (nowSeconds < claims.iat - CLOCK_SKEW_SECONDS) return "not-yet-valid";
  return null;
}

function verifyEd25519(signingInput: Uint8Array, signature: Uint8Array, key: VerificationKey): boolean {
  if (key.publicKey.asymmetricKeyType !== "ed25519") return false;
  try {
    return verify(null, signingInput, key.publicKey, signature);
  } catch {
    return false;
  }
}

const toSeconds = (date: Date) => date.getTime() / MS_PER_SECOND;

/** The claims with their types checked; null when any required one is missing or mistyped. */
function readClaims(payload: object): AccessTokenClaims | null {
  const registered = new JWTRegisteredClaims(payload);
  const { aud, sid, email, name, email_verified: emailVerified } = payload as Record<string, unknown>;
  const isAudience = typeof aud === "string" || (Array.isArray(aud) && aud.every((entry) => typeof entry === "string"));
  if (!isAudience || typeof sid !== "string" || typeof email !== "string" || typeof name !== "string") return null;
  try {
    // These accessors throw on a missing claim or a wrong type (exp, iat, nbf: non-negative integers).
    return {
      iss: registered.issuer(),
      sub: registered.subject(),
      aud,
      exp: toSeconds(registered.expiration()),
      iat: toSeconds(registered.issuedAt()),
      ...(registered.hasNotBefore() ? { nbf: toSeconds(registered.notBefore()) } : {}),
      jti: registered.jwtId(),
      sid,
      email,
      name,
      ...(typeof emailVerified === "boolean" ? { email_verified: emailVerified } : {}),
    };
  } catch {
    return null;
  }
}
