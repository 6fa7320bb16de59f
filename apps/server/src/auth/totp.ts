// TOTP (RFC 6238) with @oslojs/otp: a 20-byte key per user, AES-256-GCM-encrypted at rest
// (auth/encryption.ts). A key counts once confirmed with a code; each time step is accepted once.
import { randomBytes } from "node:crypto";
import { encodeBase32NoPadding } from "@oslojs/encoding";
import { createTOTPKeyURI, verifyHOTP } from "@oslojs/otp";
import type { DatabaseClient } from "../db.ts";
import { decryptSecret, encryptSecret, type EncryptionKeyRing } from "./encryption.ts";

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
const TOTP_KEY_BYTES = 20;
// One step either side of now: clocks of phones drift, and a code typed at the end of its step
// arrives in the next one.
const TOTP_ALLOWED_DRIFT_STEPS = 1;
const TOTP_CODE = /^\d{6}$/;

export interface TotpEnrolment {
  /** otpauth:// URI for the QR code. */
  keyUri: string;
  /** The key in base32, for typing into an authenticator app. */
  key: string;
}

/** The additional data of a key's ciphertext: a key is valid only on its own user's row. */
const encryptionContext = (userId: string) => `totp:${userId}`;

/** The time step `now` falls in. */
export function getTotpStep(now: Date): bigint {
  return BigInt(Math.floor(now.getTime() / (TOTP_PERIOD_S * 1000)));
}

/** The step among now ± drift whose code is `code`, or null. */
export function findTotpStep(key: Uint8Array, code: string, now: Date): bigint | null {
  if (!TOTP_CODE.test(code)) return null;
  const current = getTotpStep(now);
  for (let offset = -TOTP_ALLOWED_DRIFT_STEPS; offset <= TOTP_ALLOWED_DRIFT_STEPS; offset++) {
    const step = current + BigInt(offset);
    if (verifyHOTP(key, step, TOTP_DIGITS, code)) return step;
  }
  return null;
}

/**
 * Starts (or restarts) enrolment with a new key, not yet confirmed; null when the user already has
 * a confirmed key (it must be turned off first).
 */
export async function startTotpEnrolment(
  db: DatabaseClient,
  keys: EncryptionKeyRing,
  user: { id: string; email: string },
  issuer: string,
  now: Date,
): Promise<TotpEnrolment | null> {
  const key = new Uint8Array(randomBytes(TOTP_KEY_BYTES));
  const encryptedKey = encryptSecret(keys, key, encryptionContext(user.id));
  // Replaces an unconfirmed key only: a confirmed one is left as it is.
  const { count } = await db.totpKey.updateMany({
    where: { userId: user.id, confirmedAt: null },
    data: { encryptedKey, lastUsedStep: null, createdAt: now },
  });
  if (count === 0) {
    const created = await db.totpKey.createMany({ data: { userId: user.id, encryptedKey, createdAt: now }, skipDuplicates: true });
    if (created.count === 0) return null;
  }
  return { keyUri: createTOTPKeyURI(issuer, user.email, key, TOTP_PERIOD_S, TOTP_DIGITS), key: encodeBase32NoPadding(key) };
}

export type TotpCheck = "valid" | "invalid" | "replayed" | "missing";

/**
 * Checks a code against the user's key: a confirmed one, or with `confirm` the pending enrolment
 * (which it then confirms). The matched time step is written in the same statement that checks it
 * is newer than the last used one, so a code, or an older one, is accepted once even in parallel.
 */
export async function verifyTotpCode(
  db: DatabaseClient,
  keys: EncryptionKeyRing,
  input: { userId: string; code: string; confirm?: boolean },
  now: Date,
): Promise<TotpCheck> {
  const row = await db.totpKey.findUnique({ where: { userId: input.userId }, select: { encryptedKey: true, confirmedAt: true } });
  if (!row || (row.confirmedAt === null) !== (input.confirm ?? false)) return "missing";
  const decrypted = decryptSecret(keys, row.encryptedKey, encryptionContext(input.userId));
  if (!decrypted) throw new Error("A TOTP key does not decrypt: is its ENCRYPTION_KEY missing from ENCRYPTION_PREVIOUS_KEYS?");
  const step = findTotpStep(decrypted.plaintext, input.code, now);
  if (step === null) return "invalid";
  const { count } = await db.totpKey.updateMany({
    where: {
      userId: input.userId,
      confirmedAt: input.confirm ? null : { not: null },
      OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: step } }],
    },
    data: {
      lastUsedStep: step,
      ...(input.confirm ? { confirmedAt: now } : {}),
      // Key rotation: a key still under a previous ENCRYPTION_KEY moves to the current one.
      ...(decrypted.rotated ? { encryptedKey: encryptSecret(keys, decrypted.plaintext, encryptionContext(input.userId)) } : {}),
    },
  });
  return count === 1 ? "valid" : "replayed";
}

/** Whether the user has a confirmed TOTP key. */
export async function hasTotp(db: DatabaseClient, userId: string): Promise<boolean> {
  return (await db.totpKey.count({ where: { userId, confirmedAt: { not: null } } })) > 0;
}

export async function deleteTotp(db: DatabaseClient, userId: string): Promise<boolean> {
  const { count } = await db.totpKey.deleteMany({ where: { userId } });
  return count > 0;
}
