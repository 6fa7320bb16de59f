// Changing the account's address (DESIGN §7): requested in sudo mode, proved from the new address,
// announced to the old one with a way back. The address changes only when the new one is verified.
import type { Database } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { composeEmailChangeMail, composeEmailChangeNoticeMail } from "../mail/messages.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { checkEmailToken, createEmailToken, spendEmailToken } from "./email-token.ts";

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

/** Checks and spends the link and moves the account to the address it was sent to, now verified. */
export async function confirmEmailChange(db: Database, token: string, now: Date): Promise<EmailChangeResult> {
  const check = await checkEmailToken(db, token, "change_email", now);
  if (check.status !== "valid") return check;
  // Someone took the address since the link was sent: refused, with the link left unspent.
  const holder = await db.user.findUnique({ where: { email: check.email }, select: { id: true } });
  if (holder && holder.id !== check.userId) return { status: "taken" };
  if (!(await spendEmailToken(db, check.tokenId))) return { status: "invalid" };
  try {
    await db.$transaction([
      db.user.update({ where: { id: check.userId }, data: { email: check.email, emailVerifiedAt: now }, select: { id: true } }),
      // A verification code for the old address no longer applies. Reset links stay: the one in the
      // notice to the old address is the way back (resetting restores that address).
      db.emailToken.deleteMany({ where: { userId: check.userId, purpose: "verify_email" } }),
    ]);
  } catch (error) {
    // Taken between the look-up and the update.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return { status: "taken" };
    throw error;
  }
  return { status: "changed", email: check.email };
}
