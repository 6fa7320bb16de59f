import { afterAll, describe, expect, it } from "vitest";
import { verifyAccessToken } from "../auth/access-token.ts";
import {
  createCountingPasswordHasher,
  createTestCaller,
  createTestConfig,
  createTestDatabase,
  createTestUser,
  TEST_PASSWORD,
  uniqueEmail,
} from "../../../../tests/setup/server.ts";

const db = createTestDatabase();
const config = createTestConfig();
afterAll(() => db.$disconnect());

describe("auth.signUp", () => {
  it("creates an unverified user with an argon2id hash, and starts no session", async () => {
    const { caller, cookie } = await createTestCaller({ db, config });
    const email = uniqueEmail("Sign-Up");
    expect(await caller.auth.signUp({ email: `  ${email.toUpperCase()} `, password: TEST_PASSWORD, name: "Ada" })).toEqual({ checkEmail: true });
    expect(cookie).toMatchObject({ token: null, cleared: false });
    const stored = await db.user.findUniqueOrThrow({ where: { email: email.toLowerCase() } });
    expect(stored).toMatchObject({ name: "Ada", emailVerifiedAt: null });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await db.session.count({ where: { userId: stored.id } })).toBe(0);
  });

  it("answers a taken email exactly like a new one, and changes nothing of the account", async () => {
    const existing = await createTestUser(db);
    const before = await db.user.findUniqueOrThrow({ where: { id: existing.id } });
    const { caller, cookie } = await createTestCaller({ db, config });
    expect(await caller.auth.signUp({ email: existing.email, password: "another password 123", name: "X" })).toEqual({ checkEmail: true });
    expect(cookie).toMatchObject({ token: null, cleared: false });
    expect(await db.user.findUniqueOrThrow({ where: { id: existing.id } })).toEqual(before);
    expect(await db.session.count({ where: { userId: existing.id } })).toBe(0);
  });

  it("rejects bad input as BAD_REQUEST with field errors, and creates no user", async () => {
    const { caller } = await createTestCaller({ db, config });
    const email = uniqueEmail();
    const error = await caller.auth.signUp({ email: "not-an-email", password: "short", name: "" }).catch((e) => e);
    expect(error.code).toBe("BAD_REQUEST");
    expect(await db.user.count({ where: { email } })).toBe(0);
  });
});

describe("common passwords (ASVS 5.0 6.2.4)", () => {
  it("refuses a common password at sign-up with a field error, in any letter case, and creates no user", async () => {
    const { caller } = await createTestCaller({ db, config });
    for (const password of ["password", "Iloveyou1", "qwertyuiop"]) {
      const email = uniqueEmail();
      const error = await caller.auth.signUp({ email, password, name: "Ada" }).catch((e) => e);
      expect(error.code, password).toBe("BAD_REQUEST");
      expect(error.cause.issues.map((issue: { path: string[]; message: string }) => [issue.path.join("."), issue.message])).toEqual([
        ["password", "This is one of the most common passwords. Choose one that is harder to guess."],
      ]);
      expect(await db.user.count({ where: { email } })).toBe(0);
    }
  });
});

describe("auth.signIn", () => {
  it("signs in with the right password and starts a new session", async () => {
    const user = await createTestUser(db);
    const { caller, cookie } = await createTestCaller({ db, config });
    const result = await caller.auth.signIn({ email: user.email, password: TEST_PASSWORD });
    expect(result.user).toEqual(user);
    expect(JSON.stringify(result)).not.toContain("argon2");
    expect(cookie.token).not.toBeNull();
  });

  it("gives one generic error for a wrong password and for an unknown email", async () => {
    const user = await createTestUser(db);
    const { caller, cookie } = await createTestCaller({ db, config });
    const wrong = await caller.auth.signIn({ email: user.email, password: "wrong password" }).catch((e) => e);
    const unknown = await caller.auth.signIn({ email: uniqueEmail(), password: TEST_PASSWORD }).catch((e) => e);
    for (const error of [wrong, unknown]) {
      expect(error).toMatchObject({ code: "UNAUTHORIZED", message: "Invalid email or password." });
    }
    expect(cookie.token).toBeNull();
  });

  it("verifies a dummy hash for an unknown email, so both paths do the same argon2 work", async () => {
    const { passwordHasher, verifiedHashes } = createCountingPasswordHasher(config);
    const { caller } = await createTestCaller({ db, config, passwordHasher });
    await caller.auth.signIn({ email: uniqueEmail(), password: TEST_PASSWORD }).catch(() => {});
    expect(verifiedHashes).toEqual([null]);
  });

  it("replaces the session the request came with (fixation)", async () => {
    const user = await createTestUser(db);
    const first = await createTestCaller({ db, config });
    await first.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD });
    const oldToken = first.cookie.token!;

    const second = await createTestCaller({ db, config }, { type: "cookie", token: oldToken });
    await second.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD });
    expect(second.cookie.token).not.toBe(oldToken);
    expect(second.cookie.token!.split(".")[0]).not.toBe(oldToken.split(".")[0]);
    expect(await db.session.findUnique({ where: { id: oldToken.split(".")[0] } })).toBeNull();
  });
});

describe("auth.me and auth.signOut", () => {
  it("me is null without a credential; signOut deletes the session and clears the cookie", async () => {
    const user = await createTestUser(db);
    const anonymous = await createTestCaller({ db, config });
    expect(await anonymous.caller.auth.me()).toBeNull();

    await anonymous.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD });
    const token = anonymous.cookie.token!;
    const signedIn = await createTestCaller({ db, config }, { type: "cookie", token });
    expect(await signedIn.caller.auth.me()).toMatchObject({ user, session: { kind: "cookie" } });

    await signedIn.caller.auth.signOut();
    expect(signedIn.cookie.cleared).toBe(true);
    const after = await createTestCaller({ db, config }, { type: "cookie", token });
    await expect(after.caller.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    // The stale cookie is cleared on the next request too.
    expect(after.cookie.cleared).toBe(true);
  });
});

describe("auth.signIn with transport: token", () => {
  it("starts a bearer session, returns its token in the body and sets no cookie", async () => {
    const user = await createTestUser(db);
    const { caller, cookie } = await createTestCaller({ db, config });
    const result = await caller.auth.signIn({ email: user.email, password: TEST_PASSWORD, transport: "token" });
    expect(result).toEqual({ user, token: expect.stringMatching(/^[a-z2-7]{24}\.[a-z2-7]{52}$/), secondFactor: null });
    expect(cookie).toMatchObject({ token: null, cleared: false });
    const sessions = await db.session.findMany({ where: { userId: user.id }, select: { id: true, kind: true } });
    expect(sessions).toEqual([{ id: result.token!.split(".")[0], kind: "bearer" }]);

    const bearer = await createTestCaller({ db, config }, { type: "bearer", token: result.token! });
    expect(await bearer.caller.auth.me()).toMatchObject({ method: "bearer", user, session: { kind: "bearer" } });
  });

  it("leaves the cookie session the request came with alone", async () => {
    const user = await createTestUser(db);
    const browser = await createTestCaller({ db, config });
    await browser.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD });
    const cookieToken = browser.cookie.token!;

    const withCookie = await createTestCaller({ db, config }, { type: "cookie", token: cookieToken });
    await withCookie.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD, transport: "token" });
    expect(withCookie.cookie).toMatchObject({ token: null, cleared: false });
    const again = await createTestCaller({ db, config }, { type: "cookie", token: cookieToken });
    expect(await again.caller.auth.me()).toMatchObject({ method: "cookie" });
  });

  it("keeps the cookie as the default: the body carries no token", async () => {
    const user = await createTestUser(db);
    const { caller, cookie } = await createTestCaller({ db, config });
    expect((await caller.auth.signIn({ email: user.email, password: TEST_PASSWORD })).token).toBeNull();
    expect(cookie.token).toMatch(/^[a-z2-7]{24}\./);
  });

  it("rejects an unknown transport", async () => {
    const user = await createTestUser(db);
    const { caller } = await createTestCaller({ db, config });
    // @ts-expect-error: not a transport
    await expect(caller.auth.signIn({ email: user.email, password: TEST_PASSWORD, transport: "header" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe("auth.issueAccessToken", () => {
  async function bearerCaller() {
    const user = await createTestUser(db);
    const { caller } = await createTestCaller({ db, config });
    const { token } = await caller.auth.signIn({ email: user.email, password: TEST_PASSWORD, transport: "token" });
    return { user, token: token!, ...(await createTestCaller({ db, config }, { type: "bearer", token: token! })) };
  }

  it("issues a JWT for the session that verifies with the published keys", async () => {
    const { user, token, caller } = await bearerCaller();
    const now = new Date();
    const { accessToken, expiresAt } = await caller.auth.issueAccessToken();
    const result = verifyAccessToken(accessToken, config.accessToken.verificationKeys, config.accessToken, now);
    expect(result).toMatchObject({
      ok: true,
      claims: { sub: user.id, sid: token.split(".")[0], email: user.email, name: user.name, iss: config.appOrigin, aud: "latchkey-api" },
    });
    expect(expiresAt.getTime() - now.getTime()).toBeGreaterThan(295_000);
    expect(expiresAt.getTime() - now.getTime()).toBeLessThanOrEqual(300_000);
  });

  it("is issued from a cookie session as well", async () => {
    const user = await createTestUser(db);
    const browser = await createTestCaller({ db, config });
    await browser.caller.auth.signIn({ email: user.email, password: TEST_PASSWORD });
    const { caller } = await createTestCaller({ db, config }, { type: "cookie", token: browser.cookie.token! });
    expect((await caller.auth.issueAccessToken()).accessToken.split(".")).toHaveLength(3);
  });

  it("needs a session, and refuses to renew an access token with itself", async () => {
    const anonymous = await createTestCaller({ db, config });
    await expect(anonymous.caller.auth.issueAccessToken()).rejects.toMatchObject({ code: "UNAUTHORIZED" });

    const { caller } = await bearerCaller();
    const { accessToken } = await caller.auth.issueAccessToken();
    const withJwt = await createTestCaller({ db, config }, { type: "jwt", token: accessToken });
    await expect(withJwt.caller.auth.issueAccessToken()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("answers auth.me from the token's claims under a JWT", async () => {
    const { user, token, caller } = await bearerCaller();
    const { accessToken } = await caller.auth.issueAccessToken();
    const withJwt = await createTestCaller({ db, config }, { type: "jwt", token: accessToken });
    expect(await withJwt.caller.auth.me()).toEqual({ method: "jwt", user, session: { id: token.split(".")[0] }, emailVerification: "required" });
  });
});
