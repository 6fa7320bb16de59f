// The oauth router and the linking rules on a real database: the last way to sign in stays, also
// under parallel unlinks; OAUTH_AUTO_LINK=verified-email links only a verified email; a user
// without a password cannot use the password forms.
import { afterAll, describe, expect, it } from "vitest";
import { signInWithOAuthIdentity } from "../auth/oauth-account.ts";
import { createSession } from "../auth/session.ts";
import { createTestCaller, createTestConfig, createTestDatabase, createTestUser, uniqueEmail } from "../../../../tests/setup/server.ts";

const db = createTestDatabase();
const config = createTestConfig({
  GITHUB_CLIENT_ID: "github-id",
  GITHUB_CLIENT_SECRET: "github-secret",
  OIDC_ISSUER: "https://id.example.com",
  OIDC_CLIENT_ID: "oidc-id",
  OIDC_CLIENT_SECRET: "oidc-secret",
  OIDC_NAME: "Example ID",
});
afterAll(() => db.$disconnect());

/** A user without a password, linked to `providers`, with a fresh (sudo-mode) cookie session. */
async function providerOnlyUser(providers: string[], options: { password?: boolean } = {}) {
  const user = options.password
    ? await createTestUser(db)
    : await db.user.create({ data: { id: crypto.randomUUID(), email: uniqueEmail("provider-only"), name: "Provider Only", passwordHash: null }, select: { id: true, email: true } });
  for (const provider of providers) {
    await db.oAuthAccount.create({ data: { id: crypto.randomUUID(), provider, providerAccountId: crypto.randomUUID(), userId: user.id } });
  }
  const { token } = await createSession(db, { userId: user.id, kind: "cookie", metadata: { userAgent: null, ip: null } }, config.session, new Date());
  return { user, ...(await createTestCaller({ db, config }, { type: "cookie", token })) };
}

describe("oauth.providers", () => {
  it("lists the configured providers in button order, for anyone", async () => {
    const { caller } = await createTestCaller({ db, config });
    expect(await caller.oauth.providers()).toEqual([
      { id: "github", name: "GitHub" },
      { id: "oidc", name: "Example ID" },
    ]);
    const { caller: bare } = await createTestCaller({ db, config: createTestConfig() });
    expect(await bare.oauth.providers()).toEqual([]);
  });
});

describe("oauth.unlink", () => {
  it("removes a link when a password remains, and says how the user can sign in", async () => {
    const { user, caller } = await providerOnlyUser(["github"], { password: true });
    await caller.oauth.unlink({ provider: "github" });
    expect(await db.oAuthAccount.count({ where: { userId: user.id } })).toBe(0);
    expect(await caller.oauth.methods()).toEqual({ hasPassword: true, linked: [] });
    await expect(caller.oauth.unlink({ provider: "github" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses to remove the last way to sign in", async () => {
    const { user, caller } = await providerOnlyUser(["github"]);
    await expect(caller.oauth.unlink({ provider: "github" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "This is your only way to sign in. Link another provider or set a password first.",
    });
    expect(await db.oAuthAccount.count({ where: { userId: user.id } })).toBe(1);
  });

  it("leaves one of the last two links when both are unlinked at once", async () => {
    for (let round = 0; round < 5; round += 1) {
      const { user, caller } = await providerOnlyUser(["github", "oidc"]);
      const results = await Promise.allSettled([caller.oauth.unlink({ provider: "github" }), caller.oauth.unlink({ provider: "oidc" })]);
      expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
      expect(await db.oAuthAccount.count({ where: { userId: user.id } })).toBe(1);
    }
  });

  it("needs sudo mode", async () => {
    const { user, caller } = await providerOnlyUser(["github", "oidc"]);
    await db.session.updateMany({ where: { userId: user.id }, data: { authenticatedAt: new Date(Date.now() - 60 * 60_000) } });
    await expect(caller.oauth.unlink({ provider: "github" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // A provider-only user has no password to offer instead (re-authentication goes through the provider).
    await expect(caller.oauth.unlink({ provider: "github", password: "anything at all" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await db.oAuthAccount.count({ where: { userId: user.id } })).toBe(2);
  });
});

describe("a user without a password", () => {
  it("cannot sign in or change a password with any password", async () => {
    const { user, caller } = await providerOnlyUser(["github"]);
    const anonymous = await createTestCaller({ db, config });
    await expect(anonymous.caller.auth.signIn({ email: user.email, password: "" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.account.changePassword({ currentPassword: "", newPassword: "a brand new password" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("OAUTH_AUTO_LINK=verified-email", () => {
  const identity = (email: string, emailVerified: boolean) => ({ accountId: crypto.randomUUID(), email, emailVerified, name: null });
  // Joining an existing user is no sign-up: the sign-up budget is never asked.
  const consumeSignUp = () => Promise.reject(new Error("linking an existing user spent a sign-up"));

  it("links a verified email to the existing account, and marks the address verified", async () => {
    const user = await createTestUser(db);
    const result = await signInWithOAuthIdentity(db, { provider: "github", identity: identity(user.email.toUpperCase(), true), autoLink: "verified-email", now: new Date(), consumeSignUp });
    expect(result).toEqual({ ok: true, userId: user.id });
    expect(await db.oAuthAccount.count({ where: { userId: user.id, provider: "github" } })).toBe(1);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { emailVerifiedAt: true } })).emailVerifiedAt).toBeInstanceOf(Date);
  });

  it("never links an unverified email, and the default policy links none", async () => {
    const user = await createTestUser(db);
    expect(await signInWithOAuthIdentity(db, { provider: "github", identity: identity(user.email, false), autoLink: "verified-email", now: new Date(), consumeSignUp })).toEqual({
      ok: false,
      failure: "email_unverified",
    });
    expect(await signInWithOAuthIdentity(db, { provider: "github", identity: identity(user.email, true), autoLink: "never", now: new Date(), consumeSignUp })).toEqual({
      ok: false,
      failure: "account_exists",
    });
    expect(await db.oAuthAccount.count({ where: { userId: user.id } })).toBe(0);
  });

  it("does not replace a link the account already has with this provider", async () => {
    const { user } = await providerOnlyUser(["github"], { password: true });
    const result = await signInWithOAuthIdentity(db, { provider: "github", identity: identity(user.email, true), autoLink: "verified-email", now: new Date(), consumeSignUp });
    expect(result).toEqual({ ok: false, failure: "account_exists" });
    expect(await db.oAuthAccount.count({ where: { userId: user.id } })).toBe(1);
  });
});
