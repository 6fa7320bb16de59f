import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, generateEncryptionKey, parseEncryptionKey, type EncryptionKeyRing } from "./encryption.ts";

const ring = (current: string, ...previous: string[]): EncryptionKeyRing => ({
  current: parseEncryptionKey(current)!,
  previous: previous.map((key) => parseEncryptionKey(key)!),
});
const secret = new TextEncoder().encode("a TOTP key");

describe("encryptSecret / decryptSecret (AES-256-GCM)", () => {
  it("round-trips, with a fresh IV each time", () => {
    const keys = ring(generateEncryptionKey());
    const first = encryptSecret(keys, secret, "totp:u1");
    const second = encryptSecret(keys, secret, "totp:u1");
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
    expect(decryptSecret(keys, first, "totp:u1")).toEqual({ plaintext: secret, rotated: false });
  });

  it("refuses another context (a ciphertext moved to another user's row), a flipped bit and an unknown key", () => {
    const keys = ring(generateEncryptionKey());
    const ciphertext = encryptSecret(keys, secret, "totp:u1");
    expect(decryptSecret(keys, ciphertext, "totp:u2")).toBeNull();
    const tampered = new Uint8Array(ciphertext);
    tampered[tampered.length - 1]! ^= 1;
    expect(decryptSecret(keys, tampered, "totp:u1")).toBeNull();
    expect(decryptSecret(ring(generateEncryptionKey()), ciphertext, "totp:u1")).toBeNull();
    expect(decryptSecret(keys, ciphertext.subarray(0, 20), "totp:u1")).toBeNull();
  });

  it("decrypts with a previous key during a rotation and says so", () => {
    const old = generateEncryptionKey();
    const ciphertext = encryptSecret(ring(old), secret, "c");
    expect(decryptSecret(ring(generateEncryptionKey(), old), ciphertext, "c")).toEqual({ plaintext: secret, rotated: true });
  });

  it("parses only 32-byte keys", () => {
    expect(parseEncryptionKey(generateEncryptionKey())?.secret).toHaveLength(32);
    expect(parseEncryptionKey(Buffer.alloc(31).toString("base64url"))).toBeNull();
    expect(parseEncryptionKey("not a key!")).toBeNull();
  });
});
