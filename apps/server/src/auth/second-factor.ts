// Second factors (DESIGN §7): which ones a user has, checking a TOTP or recovery code with the
// count-first rule, and completing a session with a proved factor. A password sign-in of a user with
// a factor leaves a second-factor-pending session; proving the factor replaces it with a full one.
import type { DatabaseClient } from "../db.ts";
import type { EncryptionKeyRing } from "./encryption.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { useRecoveryCode } from "./recovery-code.ts";
import type { SessionAssurance } from "./session.ts";
import { verifyTotpCode } from "./totp.ts";

/** How long a second-factor-pending session lives: enough to fetch a phone, not to leave it lying. */
export const SECOND_FACTOR_PENDING_LIFETIME_MS = 10 * 60_000;

export type SecondFactorMethod = "totp" | "recovery_code" | "passkey";

export interface SecondFactorStatus {
  totp: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
}

export async function getSecondFactorStatus(db: DatabaseClient, userId: string): Promise<SecondFactorStatus> {
  // One statement: every sign-in asks, so it should cost one round trip.
  const row = await db.user.findUnique({
    where: { id: userId },
    select: {
      totpKey: { select: { confirmedAt: true } },
      _count: { select: { passkeys: true, recoveryCodes: { where: { usedAt: null } } } },
    },
  });
  return {
    totp: Boolean(row?.totpKey?.confirmedAt),
    passkeys: row?._count.passkeys ?? 0,
    recoveryCodesLeft: row?._count.recoveryCodes ?? 0,
  };
}

/** The methods that can complete a sign-in for this user; empty: the password alone suffices. */
export function listSecondFactorMethods(status: SecondFactorStatus): SecondFactorMethod[] {
  const methods: SecondFactorMethod[] = [];
  if (status.totp) methods.push("totp");
  if (status.passkeys > 0) methods.push("passkey");
  if (methods.length > 0 && status.recoveryCodesLeft > 0) methods.push("recovery_code");
  return methods;
}

/** A factor that opens a session on its own, before any second factor. */
export type FirstFactor = "password" | "oauth" | "email";

export interface SignInStart {
  /** How the new session records its authentication (createSession). */
  assurance: SessionAssurance;
  /** A pending session lives SECOND_FACTOR_PENDING_LIFETIME_MS; a full one the policy's lifetime. */
  lifetimeMs?: number;
  /** The second factors that can complete the session; empty: it is complete already. */
  methods: SecondFactorMethod[];
}

/**
 * How a sign-in by a first factor (password, provider, mailed link or code, reset) starts: a user
 * with a second factor gets a second-factor-pending session whatever the first factor was, so no
 * way of signing in skips the second step.
 */
export async function startFirstFactorSignIn(db: DatabaseClient, userId: string, factor: FirstFactor): Promise<SignInStart> {
  const methods = listSecondFactorMethods(await getSecondFactorStatus(db, userId));
  if (methods.length === 0) return { assurance: { factors: [factor], secondFactorAt: null, secondFactorPending: false }, methods };
  return {
    assurance: { factors: [factor], secondFactorAt: null, secondFactorPending: true },
    lifetimeMs: SECOND_FACTOR_PENDING_LIFETIME_MS,
    methods,
  };
}

export type SecondFactorCodeCheck =
  | { status: "valid"; factor: "totp" | "recovery_code"; recoveryCodesLeft: number | null }
  | { status: "invalid" }
  | { status: "limited"; retryAfterSeconds: number };

/**
 * Checks a TOTP code or a recovery code. Count first (docs/decisions/012-count-first-secret-checks.md):
 * the attempt is counted for the account before the check and the count reset on success, so
 * neither parallel requests nor a batch can try more codes than the limit. A replayed TOTP code is
 * a failure like a wrong one.
 */
export async function verifySecondFactorCode(
  db: DatabaseClient,
  deps: { rateLimiter: RateLimiter; encryptionKeys: EncryptionKeyRing },
  input: { userId: string; method: "totp" | "recovery_code"; code: string; confirmTotp?: boolean },
  now: Date,
): Promise<SecondFactorCodeCheck> {
  const attempt = await deps.rateLimiter.consumeSecondFactorAttempt(input.userId);
  if (attempt.limited) return { status: "limited", retryAfterSeconds: attempt.retryAfterSeconds };
  if (input.method === "totp") {
    const check = await verifyTotpCode(db, deps.encryptionKeys, { userId: input.userId, code: input.code, confirm: input.confirmTotp }, now);
    if (check !== "valid") return { status: "invalid" };
    await attempt.succeed();
    return { status: "valid", factor: "totp", recoveryCodesLeft: null };
  }
  const used = await useRecoveryCode(db, input.userId, input.code, now);
  if (!used) return { status: "invalid" };
  await attempt.succeed();
  return { status: "valid", factor: "recovery_code", recoveryCodesLeft: used.left };
}

export type ResetSecondFactorCheck =
  | { status: "not_required" | "valid" }
  | { status: "required"; methods: SecondFactorMethod[] }
  | { status: "invalid" }
  | { status: "limited"; retryAfterSeconds: number };

/**
 * The second-factor side of a password reset (issue 10's hook): an account with a factor must
 * also prove it, with a TOTP code or a recovery code (counted first like a sign-in), before its
 * password is replaced. Without a code: "required" and the methods to ask for.
 */
export async function requireSecondFactorForReset(
  db: DatabaseClient,
  deps: { rateLimiter: RateLimiter; encryptionKeys: EncryptionKeyRing },
  input: { userId: string; proof: { method: "totp" | "recovery_code"; code: string } | null },
  now: Date,
): Promise<ResetSecondFactorCheck> {
  const status = await getSecondFactorStatus(db, input.userId);
  if (!status.totp && status.passkeys === 0) return { status: "not_required" };
  // A passkey cannot be proved on a reset link's page yet: a passkey-only account uses a recovery code.
  if (!input.proof) return { status: "required", methods: listSecondFactorMethods(status).filter((method) => method !== "passkey") };
  const check = await verifySecondFactorCode(db, deps, { userId: input.userId, ...input.proof }, now);
  return check.status === "valid" ? { status: "valid" } : check;
}
