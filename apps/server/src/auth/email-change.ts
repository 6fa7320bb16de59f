// Changing the account's address (DESIGN §7): requested in sudo mode, proved from the new address,
// announced to the old one with a way back. The address changes only when the new one is verified.
import type { Database } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { composeEmailChangeMail, composeEmailChangeNoticeMail } from "../mail/messages.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { consumeEmailToken, createEmailToken, deleteEmailTokens } from "./email-token.ts";

/**
 * Mails a confirmation link to `newEmail` and a notice to the current address. The notice carries
 * a password reset link for the account: if someone else asked, its owner resets the password,
 * which cancels the change (or, if it was confirmed already, restores the old address) and ends
 * every session (auth/password-reset.ts).
 */
export async function requestEmailChange(
  db: Database,
  user: { id: string; email: string },
  newEmail: string,
  appOrigin: string,
  now: Date,
): Promise<void> {
  await db.$transaction(async (tx) => {
    const change = await createEmailToken(tx, { userId: user.id, purpose: "change_email", email: newEmail }, now);
    await enqueueMail(tx, composeEmailChangeMail(appOrigin, newEmail, change.token));
    const reset = await createEmailToken(tx, { userId: user.id, purpose: "reset_password", email: user.email }, now);
    await enqueueMail(tx, composeEmailChangeNoticeMail(appOrigin, user.email, newEmail, reset.token));
  });
}

export type EmailChangeResult = { status: "changed"; email: string } | { status: "expired" } | { status: "invalid" } | { status: "taken" };

/** Spends the link and moves the account to the address it was sent to, now verified. */
export async function confirmEmailChange(db: Database, token: string, now: Date): Promise<EmailChangeResult> {
  try {
    return await db.$transaction(async (tx) => {
      const check = await consumeEmailToken(tx, token, "change_email", now);
      if (check.status !== "valid") return check;
      await tx.user.update({ where: { id: check.userId }, data: { email: check.email, emailVerifiedAt: now }, select: { id: true } });
      // A verification code for the old address no longer applies. Reset links stay: the one in the
      // notice to the old address is the way back (resetting restores that address).
      await deleteEmailTokens(tx, check.userId, ["verify_email"]);
      return { status: "changed", email: check.email };
    });
  } catch (error) {
    // Someone took the address since the link was sent; the rollback leaves the link unspent.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return { status: "taken" };
    throw error;
  }
}
