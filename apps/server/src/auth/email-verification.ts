// Proving an address (DESIGN §7): sign-up mails a link and a code; either verifies the address and
// signs the user in. Sign-up answers the same whether or not the address has an account: the owner
// of a registered address is told by mail instead (docs/decisions/014-account-lifecycle-by-email.md).
import type { Database, DatabaseClient } from "../db.ts";
import { composeAccountExistsMail, composeVerificationMail } from "../mail/messages.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { checkEmailToken, checkEmailVerificationCode, createEmailToken, spendEmailToken } from "./email-token.ts";

/** Issues a verification token and writes its mail to the outbox (in the caller's transaction). */
async function sendVerificationMail(db: DatabaseClient, appOrigin: string, user: { id: string; email: string }, now: Date): Promise<void> {
  const { token, code } = await createEmailToken(db, { userId: user.id, purpose: "verify_email", email: user.email }, now);
  await enqueueMail(db, composeVerificationMail(appOrigin, user.email, token, code!));
}

/**
 * Creates an unverified account and mails its verification, or, when the address already has an
 * account, mails its owner that someone tried. The same statements in both cases, and nothing
 * returned: the caller's answer cannot differ.
 */
export async function registerAccount(
  db: Database,
  input: { email: string; name: string; passwordHash: string },
  appOrigin: string,
  now: Date,
): Promise<void> {
  await db.$transaction(async (tx) => {
    // INSERT … ON CONFLICT DO NOTHING: a taken address is not an error that aborts the transaction.
    const [created] = await tx.user.createManyAndReturn({
      data: [{ id: crypto.randomUUID(), email: input.email, name: input.name, passwordHash: input.passwordHash }],
      skipDuplicates: true,
      select: { id: true },
    });
    if (created) await sendVerificationMail(tx, appOrigin, { id: created.id, email: input.email }, now);
    else await enqueueMail(tx, composeAccountExistsMail(appOrigin, input.email));
  });
}

/** A new verification mail for an account that is still unverified; nothing for any other address. */
export async function resendVerificationMail(db: Database, email: string, appOrigin: string, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    const user = await tx.user.findFirst({ where: { email, emailVerifiedAt: null }, select: { id: true, email: true } });
    if (user) await sendVerificationMail(tx, appOrigin, user, now);
  });
}

/** What proves the address: the link's token, or the code typed with the address it was sent to. */
export type VerificationProof = { token: string } | { email: string; code: string };

export type VerificationResult = { status: "verified"; userId: string } | { status: "expired" } | { status: "invalid" };

/** Checks and spends the proof and marks the address verified; the user it belongs to, or why not. */
export async function verifyEmail(db: Database, proof: VerificationProof, now: Date): Promise<VerificationResult> {
  const check = "token" in proof ? await checkEmailToken(db, proof.token, "verify_email", now) : await checkEmailVerificationCode(db, proof, now);
  if (check.status !== "valid") return check;
  if (!(await spendEmailToken(db, check.tokenId))) return { status: "invalid" };
  // Only the address the token went to: an email change since then leaves the new one unverified.
  await db.user.updateMany({ where: { id: check.userId, email: check.email, emailVerifiedAt: null }, data: { emailVerifiedAt: now } });
  return { status: "verified", userId: check.userId };
}
