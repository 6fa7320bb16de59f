// Provider identities and the users they sign in as (DESIGN §7): signing in, linking, unlinking.
// Linking never takes an account over silently: an identity joins an existing user only when that
// user is signed in and asks, or when OAUTH_AUTO_LINK=verified-email and the provider asserts the
// email is verified. The last way to sign in cannot be removed. docs/decisions/016-oauth-sign-in.md
import type { Database, DatabaseClient } from "../db.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { OAuthConfig, OAuthFailure, OAuthIdentity } from "./oauth-provider.ts";
import type { RateLimitVerdict } from "./rate-limit.ts";

const EMAIL_MAX_LENGTH = 254;
const NAME_MAX_LENGTH = 100;

export type OAuthSignInResult = { ok: true; userId: string } | { ok: false; failure: OAuthFailure };

/** The email as sign-up stores it (trimmed, lower case), or null when unusable. */
function normalizeEmail(email: string | null): string | null {
  const normalized = email?.trim().toLowerCase() ?? "";
  return normalized.includes("@") && normalized.length <= EMAIL_MAX_LENGTH ? normalized : null;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

async function findLinkedUserId(db: DatabaseClient, provider: string, accountId: string): Promise<string | null> {
  const account = await db.oAuthAccount.findUnique({
    where: { provider_providerAccountId: { provider, providerAccountId: accountId } },
    select: { userId: true },
  });
  return account?.userId ?? null;
}

/**
 * The user `identity` signs in as: the one it is linked to; else, for a verified email, a new user
 * (with that email verified, no password) or, by policy, the existing user with that email.
 * User and link are written together, so a refusal leaves nothing behind.
 */
export async function signInWithOAuthIdentity(
  db: Database,
  input: {
    provider: string;
    identity: OAuthIdentity;
    autoLink: OAuthConfig["autoLink"];
    now: Date;
    /** Counts a new user against the sign-up limit before it is written (auth/rate-limit.ts). */
    consumeSignUp: () => Promise<RateLimitVerdict>;
  },
): Promise<OAuthSignInResult> {
  const { provider, identity } = input;
  const linkedUserId = await findLinkedUserId(db, provider, identity.accountId);
  if (linkedUserId) return { ok: true, userId: linkedUserId };

  // An unverified address may belong to someone else: an account made with it could be taken over
  // by its real owner later, or could squat their address. Refused outright.
  const email = normalizeEmail(identity.email);
  if (!email || !identity.emailVerified) return { ok: false, failure: "email_unverified" };

  const existing = await db.user.findUnique({ where: { email }, select: { id: true } });
  if (existing && input.autoLink !== "verified-email") {
    // A parallel callback of this identity (a double click) may have just written user and link
    // together: if the user is visible now, so is its link.
    return signInIfLinked(db, provider, identity.accountId);
  }
  // A new account through a provider is a sign-up, and spends the same budget as one.
  if (!existing && (await input.consumeSignUp()).limited) return { ok: false, failure: "sign_up_limited" };
  try {
    return await db.$transaction(async (tx) => {
      const userId = existing?.id ?? crypto.randomUUID();
      if (existing) {
        // The provider has just proved the address for us.
        await tx.user.updateMany({ where: { id: userId, emailVerifiedAt: null }, data: { emailVerifiedAt: input.now } });
      } else {
        const name = (identity.name?.trim() || email.split("@")[0]!).slice(0, NAME_MAX_LENGTH);
        await tx.user.create({ data: { id: userId, email, name, passwordHash: null, emailVerifiedAt: input.now }, select: { id: true } });
      }
      await tx.oAuthAccount.create({
        data: { id: crypto.randomUUID(), provider, providerAccountId: identity.accountId, userId },
        select: { id: true },
      });
      return { ok: true, userId } as const;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A parallel callback created the link or the user first (a double click): the link decides;
    // an existing user that already links another identity of this provider is not taken over.
    return signInIfLinked(db, provider, identity.accountId);
  }
}

async function signInIfLinked(db: DatabaseClient, provider: string, accountId: string): Promise<OAuthSignInResult> {
  const userId = await findLinkedUserId(db, provider, accountId);
  return userId ? { ok: true, userId } : { ok: false, failure: "account_exists" };
}

/** Links `identity` to the signed-in user who asked for it (sudo mode is checked by the caller). */
export async function linkOAuthIdentity(
  db: Database,
  input: { userId: string; provider: string; identity: OAuthIdentity },
): Promise<{ ok: true } | { ok: false; failure: OAuthFailure }> {
  const linkedUserId = await findLinkedUserId(db, input.provider, input.identity.accountId);
  if (linkedUserId === input.userId) return { ok: true };
  if (linkedUserId) return { ok: false, failure: "identity_taken" };
  try {
    await db.oAuthAccount.create({
      data: { id: crypto.randomUUID(), provider: input.provider, providerAccountId: input.identity.accountId, userId: input.userId },
      select: { id: true },
    });
    return { ok: true };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const winner = await findLinkedUserId(db, input.provider, input.identity.accountId);
    if (winner === input.userId) return { ok: true };
    return { ok: false, failure: winner ? "identity_taken" : "provider_already_linked" };
  }
}

/** Whether `identity` is linked to `userId`: provider re-authentication must prove the same person. */
export async function isOAuthIdentityOfUser(db: DatabaseClient, input: { userId: string; provider: string; accountId: string }): Promise<boolean> {
  return (await findLinkedUserId(db, input.provider, input.accountId)) === input.userId;
}

export function listOAuthAccounts(db: DatabaseClient, userId: string) {
  return db.oAuthAccount.findMany({
    where: { userId },
    select: { provider: true, createdAt: true },
    orderBy: { createdAt: "asc" },
  });
}

export type UnlinkResult = "unlinked" | "not_linked" | "last_sign_in_method";

/**
 * Removes the user's link to `provider` unless it is their last way to sign in (no password, no
 * other link). The user row is locked first, so parallel unlinks of a user's last two links
 * cannot both see the other one and leave no way in.
 */
export async function unlinkOAuthAccount(db: Database, input: { userId: string; provider: string }): Promise<UnlinkResult> {
  return db.$transaction(async (tx) => {
    const [user] = await tx.$queryRaw<{ hasPassword: boolean }[]>`SELECT "passwordHash" IS NOT NULL AS "hasPassword"
      FROM "User" WHERE "id" = ${input.userId} FOR UPDATE`;
    if (!user) return "not_linked";
    const links = await tx.oAuthAccount.findMany({ where: { userId: input.userId }, select: { id: true, provider: true } });
    const target = links.find((link) => link.provider === input.provider);
    if (!target) return "not_linked";
    if (!user.hasPassword && links.length === 1) return "last_sign_in_method";
    await tx.oAuthAccount.delete({ where: { id: target.id } });
    return "unlinked";
  });
}

/** Whether the user can sign in with a password (a provider-only user sets one through the email flows). */
export async function hasPassword(db: DatabaseClient, userId: string): Promise<boolean> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  return user?.passwordHash != null;
}
