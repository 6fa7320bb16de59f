// Recovery codes: ten single-use codes, shown once, stored as SHA-256. Each has 120 random bits:
// ASVS 5.0 (v5.0.0-6.5.2) allows a plain hash from 112 bits up, below that a salted password hash.
import { createHash, randomBytes } from "node:crypto";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import type { DatabaseClient } from "../db.ts";

export const RECOVERY_CODE_COUNT = 10;
const RECOVERY_CODE_BYTES = 15;
const RECOVERY_CODE_GROUP = 6;

/** Case, spaces and dashes do not matter when a code is typed back. */
function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, "");
}

function hashRecoveryCode(code: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(createHash("sha256").update(normalizeRecoveryCode(code)).digest());
}

/** A code as shown to the user: 24 base32 characters in groups of six ("abcdef-ghijkl-mnopqr-stuvwx"). */
function generateRecoveryCode(): string {
  const code = encodeBase32LowerCaseNoPadding(randomBytes(RECOVERY_CODE_BYTES));
  return code.match(new RegExp(`.{${RECOVERY_CODE_GROUP}}`, "g"))!.join("-");
}

/** Replaces the user's codes (used or not) with ten new ones, returned once in plain text. */
export async function replaceRecoveryCodes(db: DatabaseClient, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  await db.recoveryCode.deleteMany({ where: { userId } });
  await db.recoveryCode.createMany({
    data: codes.map((code) => ({ id: crypto.randomUUID(), userId, codeHash: hashRecoveryCode(code) })),
  });
  return codes;
}

/** Unused codes the user has left. */
export function countRecoveryCodes(db: DatabaseClient, userId: string): Promise<number> {
  return db.recoveryCode.count({ where: { userId, usedAt: null } });
}

/**
 * Uses a code: the statement that marks it used also checks it was unused, so a code works once
 * even when sent twice at the same moment. Returns how many are left, or null for a wrong code.
 */
export async function useRecoveryCode(db: DatabaseClient, userId: string, code: string, now: Date): Promise<{ left: number } | null> {
  const { count } = await db.recoveryCode.updateMany({
    where: { userId, codeHash: hashRecoveryCode(code), usedAt: null },
    data: { usedAt: now },
  });
  if (count === 0) return null;
  return { left: await countRecoveryCodes(db, userId) };
}

export async function deleteRecoveryCodes(db: DatabaseClient, userId: string): Promise<void> {
  await db.recoveryCode.deleteMany({ where: { userId } });
}
