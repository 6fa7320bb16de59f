// AES-256-GCM for secrets the server must read back (TOTP keys). The current ENCRYPTION_KEY
// encrypts; it and ENCRYPTION_PREVIOUS_KEYS decrypt, so keys can be rotated without downtime
// (docs/decisions/023-second-factors.md). Each ciphertext names its key by a short fingerprint.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export interface EncryptionKey {
  /** First bytes of SHA-256(key): stored with each ciphertext to find the key that decrypts it. */
  id: Buffer;
  secret: Buffer;
}

export interface EncryptionKeyRing {
  current: EncryptionKey;
  previous: EncryptionKey[];
}

const KEY_BYTES = 32;
const KEY_ID_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A fresh key for ENCRYPTION_KEY: 32 random bytes in base64url. */
export function generateEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString("base64url");
}

/** An ENCRYPTION_KEY value (32 bytes, base64url or base64), or null when it is not one. */
export function parseEncryptionKey(value: string): EncryptionKey | null {
  if (!/^[A-Za-z0-9_\-+/]+=*$/.test(value)) return null;
  const secret = Buffer.from(value, "base64url");
  if (secret.length !== KEY_BYTES) return null;
  return { id: createHash("sha256").update(secret).digest().subarray(0, KEY_ID_BYTES), secret };
}

/**
 * Encrypts `plaintext` with the current key. `context` (e.g. the owning user's id) is authenticated
 * but not stored: a ciphertext copied to another row does not decrypt there.
 */
export function encryptSecret(keys: EncryptionKeyRing, plaintext: Uint8Array, context: string): Uint8Array<ArrayBuffer> {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keys.current.secret, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([keys.current.id, iv, cipher.getAuthTag(), body]));
}

export type DecryptionResult = { plaintext: Uint8Array; rotated: boolean } | null;

/**
 * The plaintext, and whether it was encrypted with a previous key (then the caller re-encrypts it);
 * null for a tampered ciphertext, a wrong context or a key no longer configured.
 */
export function decryptSecret(keys: EncryptionKeyRing, ciphertext: Uint8Array, context: string): DecryptionResult {
  const data = Buffer.from(ciphertext);
  if (data.length < KEY_ID_BYTES + IV_BYTES + TAG_BYTES) return null;
  const keyId = data.subarray(0, KEY_ID_BYTES);
  const key = [keys.current, ...keys.previous].find((candidate) => candidate.id.equals(keyId));
  if (!key) return null;
  const iv = data.subarray(KEY_ID_BYTES, KEY_ID_BYTES + IV_BYTES);
  const tag = data.subarray(KEY_ID_BYTES + IV_BYTES, KEY_ID_BYTES + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key.secret, iv);
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(tag);
  try {
    const plaintext = Buffer.concat([decipher.update(data.subarray(KEY_ID_BYTES + IV_BYTES + TAG_BYTES)), decipher.final()]);
    return { plaintext: new Uint8Array(plaintext), rotated: key !== keys.current };
  } catch {
    return null;
  }
}
