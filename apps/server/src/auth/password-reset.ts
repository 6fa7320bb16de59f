// Password reset by mail (DESIGN §7): a single-use link valid for 30 minutes, hashed at rest. The
// request answers the same for every address; success sets the new password, ends every session of
// the user, verifies the address the link went to (restoring it, if the account has moved to
// another address since), and mails "your password was changed".
import type { Database } from "../db.ts";
import { composePasswordChangedMail, composePasswordResetMail } from "../mail/messages.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { checkEmailToken, createEmailToken, deleteEmailTokens, spendEmailToken } from "./email-token.ts";
import type { EncryptionKeyRing } from "./encryption.ts";
import type { PasswordHasher } from "./password-hasher.ts";
import type { RateLimiter } from "./rate-limit.ts";
import { requireSecondFactorForReset, type SecondFactorMethod } from "./second-factor.ts";
import { invalidateUserSessions } from "./session.ts";

/** Mails a reset link if `email` has an account; does the same work and says nothing either way. */
export async function requestPasswordReset(db: Database, email: string, appOrigin: string, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { email }, select: { id: true } });
    if (!user) return;
    const { token } = await createEmailToken(tx, { userId: user.id, purpose: "reset_password", email }, now);
    await enqueueMail(tx, composePasswordResetMail(appOrigin, email, token));
  });
}

export type PasswordResetResult =
  | { status: "reset"; userId: string; secondFactor: SecondFactorProof["method"] | null }
  | { status: "expired" }
  | { status: "invalid" }
  /** The account has a second factor and no proof came: ask for one of `methods`. */
  | { status: "second-factor-required"; methods: SecondFactorMethod[] }
  | { status: "second-factor-invalid" }
  | { status: "second-factor-limited"; retryAfterSeconds: number };

/** A TOTP code or a recovery code sent with the new password. */
export type SecondFactorProof = { method: "totp" | "recovery_code"; code: string };

/**
 * Checks the link (its attempt counted first), then spends it and sets the new password in one
 * transaction: the new hash, every session of the user ended (the caller starts a fresh one), every
 * other mailed token of the user void (a pending email change is cancelled), the address verified if
 * the link went to it, and the notice mailed.
 */
export async function resetPassword(
  db: Database,
  deps: { passwordHasher: PasswordHasher; rateLimiter: RateLimiter; encryptionKeys: EncryptionKeyRing },
  input: { token: string; newPassword: string; secondFactor: SecondFactorProof | null },
  appOrigin: string,
  now: Date,
): Promise<PasswordResetResult> {
  const check = await checkEmailToken(db, input.token, "reset_password", now);
  if (check.status !== "valid") return check;
  // A reset must not be a way around a second factor: an account with one proves it too (counted
  // first, like at sign-in), before the link is spent, so a wrong code leaves the link usable.
  const factorCheck = await requireSecondFactorForReset(db, deps, { userId: check.userId, proof: input.secondFactor }, now);
  if (factorCheck.status === "required") return { status: "second-factor-required", methods: factorCheck.methods };
  if (factorCheck.status === "invalid") return { status: "second-factor-invalid" };
  if (factorCheck.status === "limited") return { status: "second-factor-limited", retryAfterSeconds: factorCheck.retryAfterSeconds };
  // Hashed (in the bounded argon2 pool) before the link is spent and outside the transaction.
  const passwordHash = await deps.passwordHasher.hash(input.newPassword);
  if (!(await spendEmailToken(db, check.tokenId))) return { status: "invalid" };
  await db.$transaction(async (tx) => {
    // The link proves its holder reads the address it went to. If the account has moved to another
    // address since (the link came with an email-change notice), that is how its owner takes it
    // back, unless another account has claimed the old address meanwhile.
    const current = await tx.user.findUniqueOrThrow({ where: { id: check.userId }, select: { email: true, emailVerifiedAt: true } });
    const restoresAddress =
      current.email !== check.email && !(await tx.user.findUnique({ where: { email: check.email }, select: { id: true } }));
    const email = restoresAddress ? check.email : current.email;
    const alreadyVerified = current.email === email && current.emailVerifiedAt !== null;
    await tx.user.update({
      where: { id: check.userId },
      data: {
        passwordHash,
        email,
        emailVerifiedAt: email === check.email && !alreadyVerified ? now : current.emailVerifiedAt,
      },
      select: { id: true },
    });
    await invalidateUserSessions(tx, check.userId);
    await deleteEmailTokens(tx, check.userId);
    await enqueueMail(tx, composePasswordChangedMail(appOrigin, email));
  });
  return { status: "reset", userId: check.userId, secondFactor: factorCheck.status === "valid" ? (input.secondFactor?.method ?? null) : null };
}
