// Password reset by mail (DESIGN §7): a single-use link valid for 30 minutes, hashed at rest. The
// request answers the same for every address; success sets the new password, ends every session of
// the user, verifies the address the link went to (restoring it, if the account has moved to
// another address since), and mails "your password was changed".
import type { Database } from "../db.ts";
import { composePasswordChangedMail, composePasswordResetMail } from "../mail/messages.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { checkEmailToken, createEmailToken, deleteEmailTokens, spendEmailToken } from "./email-token.ts";
import type { PasswordHasher } from "./password-hasher.ts";
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

/**
 * Second factors (issue 11) plug in here: a reset must not be a way around them. Return "required"
 * when the user has a second factor and `proof` (which the reset procedure will take as input) does
 * not pass it; the reset then stops before the link is spent and the procedure answers FORBIDDEN.
 * No account has a second factor yet, so every reset passes.
 */
export async function checkResetSecondFactor(_db: Database, _userId: string, _proof: undefined): Promise<"passed" | "required"> {
  return "passed";
}

export type PasswordResetResult =
  | { status: "reset"; userId: string }
  | { status: "expired" }
  | { status: "invalid" }
  | { status: "second-factor-required" };

/**
 * Checks the link (its attempt counted first), then spends it and sets the new password in one
 * transaction: the new hash, every session of the user ended (the caller starts a fresh one), every
 * other mailed token of the user void (a pending email change is cancelled), the address verified if
 * the link went to it, and the notice mailed.
 */
export async function resetPassword(
  db: Database,
  passwordHasher: PasswordHasher,
  input: { token: string; newPassword: string },
  appOrigin: string,
  now: Date,
): Promise<PasswordResetResult> {
  const check = await checkEmailToken(db, input.token, "reset_password", now);
  if (check.status !== "valid") return check;
  if ((await checkResetSecondFactor(db, check.userId, undefined)) === "required") return { status: "second-factor-required" };
  // Hashed (in the bounded argon2 pool) before the link is spent and outside the transaction.
  const passwordHash = await passwordHasher.hash(input.newPassword);
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
  return { status: "reset", userId: check.userId };
}
