// Session tokens after Lucia's guide: `<id>.<secret>`. The id is the row's primary key (safe to
// log); only SHA-256(secret) is stored and it is compared in constant time.
import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

const SESSION_ID_BYTES = 15; // 120 bits
const SESSION_SECRET_BYTES = 32; // 256 bits
// base32 without padding: 8 characters per 5 bytes.
const SESSION_ID_LENGTH = (SESSION_ID_BYTES * 8) / 5;
const SESSION_SECRET_LENGTH = Math.ceil((SESSION_SECRET_BYTES * 8) / 5);
const TOKEN_PATTERN = new RegExp(`^([a-z2-7]{${SESSION_ID_LENGTH}})\\.([a-z2-7]{${SESSION_SECRET_LENGTH}})$`);

export interface SessionTokenParts {
  id: string;
  secret: string;
}

function randomBase32(bytes: number): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function generateSessionToken(): SessionTokenParts & { token: string } {
  const id = randomBase32(SESSION_ID_BYTES);
  const secret = randomBase32(SESSION_SECRET_BYTES);
  return { id, secret, token: `${id}.${secret}` };
}

/** Splits a token; null for anything that is not exactly the format we issue. */
export function parseSessionToken(token: string): SessionTokenParts | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

export function hashSessionSecret(secret: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(sha256(new TextEncoder().encode(secret)));
}

export function verifySessionSecret(secret: string, secretHash: Uint8Array): boolean {
  return constantTimeEqual(hashSessionSecret(secret), secretHash);
}
