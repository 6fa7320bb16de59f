// Tokens mailed to users (DESIGN §7): email verification, password reset, email change. The same
// pattern as sessions: `<id>.<secret>`, only SHA-256(secret) stored, single use, an expiry, and at
// most EMAIL_TOKEN_MAX_ATTEMPTS checks, each counted before it is made (an atomic UPDATE, so parallel
// requests and tRPC batches cannot exceed it on any store). Verification tokens also carry a short
// code to type instead of following the link. Every step is one statement: no transaction is held
// open across a check, which the embedded database would serialize.
import { randomInt } from "node:crypto";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import type { DatabaseClient } from "../db.ts";
import type { EmailTokenPurpose } from "../generated/prisma/enums.ts";
import { generateSessionToken, hashSessionSecret, parseSessionToken, verifySessionSecret } from "./token.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export const EMAIL_TOKEN_MAX_ATTEMPTS = 5;
export const EMAIL_TOKEN_LIFETIME_MS: Record<EmailTokenPurpose, number> = {
  verify_email: 24 * HOUR_MS,
  reset_password: 30 * MINUTE_MS,
  change_email: 24 * HOUR_MS,
};
export const EMAIL_CODE_DIGITS = 6;
const EMAIL_CODE_RANGE = 10 ** EMAIL_CODE_DIGITS;

export interface IssuedEmailToken {
  /** Goes into the link; never stored or logged. */
  token: string;
  /** The code to type (verification only). */
  code: string | null;
  expiresAt: Date;
}

/**
 * The outcome of a check. `expired` is said only to someone who holds the right secret; a used
 * token (deleted), a wrong secret and a token out of attempts all read as `invalid`. A valid token
 * is not spent yet: spendEmailToken does that, once the caller has checked what else it needs.
 */
export type EmailTokenCheck =
  | { status: "valid"; tokenId: string; userId: string; email: string }
  | { status: "expired" }
  | { status: "invalid" };

const INVALID: EmailTokenCheck = { status: "invalid" };

// The code's hash is bound to its token, so one code hashes differently in every row.
function hashCode(tokenId: string, code: string): Uint8Array<ArrayBuffer> {
  return hashSessionSecret(`${tokenId}.${code}`);
}

/**
 * Issues the user's token for `purpose`, replacing any earlier one (one live token per user and
 * purpose: resending makes the previous link useless). Call it in the transaction that writes the
 * mail carrying it to the outbox.
 */
export async function createEmailToken(
  db: DatabaseClient,
  input: { userId: string; purpose: EmailTokenPurpose; email: string },
  now: Date,
): Promise<IssuedEmailToken> {
  const { id, secret, token } = generateSessionToken();
  const code = input.purpose === "verify_email" ? String(randomInt(EMAIL_CODE_RANGE)).padStart(EMAIL_CODE_DIGITS, "0") : null;
  const codeHash = code === null ? null : hashCode(id, code);
  const expiresAt = new Date(now.getTime() + EMAIL_TOKEN_LIFETIME_MS[input.purpose]);
  // One statement, so two requests at once leave one token rather than a unique-key error.
  await db.$executeRaw`INSERT INTO "EmailToken" ("id", "secretHash", "codeHash", "userId", "purpose", "email", "attempts", "createdAt", "expiresAt")
    VALUES (${id}, ${hashSessionSecret(secret)}, ${codeHash}, ${input.userId}, ${input.purpose}::"EmailTokenPurpose", ${input.email}, 0, ${now}, ${expiresAt})
    ON CONFLICT ("userId", "purpose") DO UPDATE SET "id" = EXCLUDED."id", "secretHash" = EXCLUDED."secretHash",
      "codeHash" = EXCLUDED."codeHash", "email" = EXCLUDED."email", "attempts" = 0, "createdAt" = EXCLUDED."createdAt",
      "expiresAt" = EXCLUDED."expiresAt"`;
  return { token, code, expiresAt };
}

/** The row of a token whose attempt has just been counted. */
interface ClaimedToken {
  id: string;
  userId: string;
  email: string;
  secretHash: Uint8Array;
  codeHash: Uint8Array | null;
  expiresAt: Date;
}

function toCheck(row: ClaimedToken, now: Date): EmailTokenCheck {
  return now >= row.expiresAt ? { status: "expired" } : { status: "valid", tokenId: row.id, userId: row.userId, email: row.email };
}

/**
 * Checks a link token of `purpose`. The attempt is counted first, in one statement (the UPDATE
 * returns no row once EMAIL_TOKEN_MAX_ATTEMPTS were made), so parallel requests and tRPC batches
 * cannot make more; then the secret is compared in constant time.
 */
export async function checkEmailToken(db: DatabaseClient, token: string, purpose: EmailTokenPurpose, now: Date): Promise<EmailTokenCheck> {
  const parts = parseSessionToken(token);
  if (!parts) return INVALID;
  const [row] = await db.$queryRaw<ClaimedToken[]>`UPDATE "EmailToken" SET "attempts" = "attempts" + 1
    WHERE "id" = ${parts.id} AND "purpose" = ${purpose}::"EmailTokenPurpose" AND "attempts" < ${EMAIL_TOKEN_MAX_ATTEMPTS}
    RETURNING "id", "userId", "email", "secretHash", "codeHash", "expiresAt"`;
  if (!row || !verifySessionSecret(parts.secret, row.secretHash)) return INVALID;
  return toCheck(row, now);
}

/**
 * Checks the verification code sent to `email` (the account's current address), counted first like
 * a link. A code is only as strong as its attempts: 5 tries at 10^6 codes per token.
 */
export async function checkEmailVerificationCode(db: DatabaseClient, input: { email: string; code: string }, now: Date): Promise<EmailTokenCheck> {
  const [row] = await db.$queryRaw<ClaimedToken[]>`UPDATE "EmailToken" SET "attempts" = "attempts" + 1
    WHERE "userId" = (SELECT "id" FROM "User" WHERE "email" = ${input.email}) AND "email" = ${input.email}
      AND "purpose" = 'verify_email' AND "codeHash" IS NOT NULL AND "attempts" < ${EMAIL_TOKEN_MAX_ATTEMPTS}
    RETURNING "id", "userId", "email", "secretHash", "codeHash", "expiresAt"`;
  if (!row?.codeHash || !constantTimeEqual(hashCode(row.id, input.code), row.codeHash)) return INVALID;
  return toCheck(row, now);
}

/**
 * Spends a checked token (single use): its row is deleted, and of parallel requests with the right
 * secret only the one whose DELETE removed it gets true.
 */
export async function spendEmailToken(db: DatabaseClient, tokenId: string): Promise<boolean> {
  const { count } = await db.emailToken.deleteMany({ where: { id: tokenId } });
  return count === 1;
}

/** Ends the user's outstanding tokens (all, or those of `purposes`): after a reset or an email change. */
export async function deleteEmailTokens(db: DatabaseClient, userId: string, purposes?: EmailTokenPurpose[]): Promise<void> {
  await db.emailToken.deleteMany({ where: { userId, ...(purposes ? { purpose: { in: purposes } } : {}) } });
}
