// Ed25519 keys for access tokens (DESIGN §4): the signing key from JWT_PRIVATE_KEY, the public keys
// published at /.well-known/jwks.json, and each key's `kid` (its RFC 7638 thumbprint). Pure: no
// HTTP, no database; shared with apps/server/src/verify-access-token.ts.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { decodeBase64IgnorePadding, decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";

const ED25519_PUBLIC_KEY_BYTES = 32;

export interface VerificationKey {
  /** RFC 7638 thumbprint: the same key always gets the same id, on every instance. */
  kid: string;
  publicKey: KeyObject;
}

export interface SigningKey extends VerificationKey {
  privateKey: KeyObject;
}

/** A public key as published in the JWK Set (RFC 8037). */
export interface Ed25519Jwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
  kid: string;
  alg: "EdDSA";
  use: "sig";
}

/** A new JWT_PRIVATE_KEY value: an Ed25519 private key, PKCS#8 DER, base64url (one short line). */
export function generateJwtPrivateKey(): string {
  const { privateKey } = generateKeyPairSync("ed25519");
  return encodeBase64urlNoPadding(privateKey.export({ format: "der", type: "pkcs8" }));
}

/** The signing key from a JWT_PRIVATE_KEY value (PKCS#8 DER in base64url or base64); null if it is not one. */
export function parseJwtPrivateKey(value: string): SigningKey | null {
  let privateKey: KeyObject;
  try {
    // `openssl genpkey -algorithm ed25519 -outform DER | base64` gives the standard alphabet.
    const der = /[+/]/.test(value) ? decodeBase64IgnorePadding(value) : decodeBase64urlIgnorePadding(value);
    privateKey = createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
  } catch {
    return null;
  }
  if (privateKey.asymmetricKeyType !== "ed25519") return null;
  const publicKey = createPublicKey(privateKey);
  return { kid: getKeyId(publicKey), publicKey, privateKey };
}

/** A public key from the `x` of its JWK (what JWT_EXTRA_PUBLIC_KEYS lists); null if it is not one. */
export function parseJwtPublicKey(x: string): VerificationKey | null {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64urlIgnorePadding(x);
  } catch {
    return null;
  }
  // Canonical form only, so that the text configured is the text published.
  if (bytes.length !== ED25519_PUBLIC_KEY_BYTES || encodeBase64urlNoPadding(bytes) !== x) return null;
  const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  return { kid: getKeyId(publicKey), publicKey };
}

function getPublicKeyX(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: "jwk" });
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") {
    throw new Error("Access-token keys must be Ed25519 keys");
  }
  return jwk.x;
}

/** RFC 7638 thumbprint: SHA-256 over the required members in lexicographic order (RFC 8037 §2). */
function getKeyId(publicKey: KeyObject): string {
  const canonical = JSON.stringify({ crv: "Ed25519", kty: "OKP", x: getPublicKeyX(publicKey) });
  return encodeBase64urlNoPadding(createHash("sha256").update(canonical).digest());
}

export function toJsonWebKey(key: VerificationKey): Ed25519Jwk {
  return { kty: "OKP", crv: "Ed25519", x: getPublicKeyX(key.publicKey), kid: key.kid, alg: "EdDSA", use: "sig" };
}

export function createJsonWebKeySet(keys: readonly VerificationKey[]): { keys: Ed25519Jwk[] } {
  return { keys: keys.map(toJsonWebKey) };
}

/**
 * The Ed25519 signing keys of a fetched JWK Set. Anything else in the set (other key types, keys
 * for encryption or for another algorithm, malformed entries) is skipped: it can never verify.
 */
export function parseJsonWebKeySet(body: unknown): VerificationKey[] {
  if (typeof body !== "object" || body === null || !("keys" in body) || !Array.isArray(body.keys)) return [];
  const keys: VerificationKey[] = [];
  for (const jwk of body.keys as unknown[]) {
    if (typeof jwk !== "object" || jwk === null) continue;
    const { kty, crv, x, kid, alg, use } = jwk as Record<string, unknown>;
    if (kty !== "OKP" || crv !== "Ed25519" || typeof x !== "string") continue;
    if ((alg !== undefined && alg !== "EdDSA") || (use !== undefined && use !== "sig")) continue;
    const key = parseJwtPublicKey(x);
    if (key) keys.push({ kid: typeof kid === "string" ? kid : key.kid, publicKey: key.publicKey });
  }
  return keys;
}
