import { afterAll, describe, expect, it } from "vitest";
import * as password from "../auth/password.ts";
import { vi } from "vitest";
import {
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
  it("creates the user, a cookie session and sets the cookie", async () => {
    const { caller, cookie } = await createTestCaller({ db, config });
    const email = uniqueEmail("Sign-Up");
    const { user } = await caller.auth.signUp({ email: `  ${email.toUpperCase()} `, password: TEST_PASSWORD, name: "Ada" });
    expect(user).toEqual({ id: expect.any(String), email: email.toLowerCase(), name: "Ada" });
    expect(cookie.token).toMatch(/^[a-z2-7]{24}\.[a-z2-7]{52}$/);
    const sessions = await db.session.findMany({ where: { userId: user.id } });
    expect(sessions).toMatchObject([{ kind: "cookie", userAgent: "vitest", ip: "127.0.0.1" }]);
    const stored = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("refuses a taken email with CONFLICT and writes nothing", async () => {
    const existing = await createTestUser(db);
    const { caller, cookie } = await createTestCaller({ db, config });
    await expect(caller.auth.signUp({ email: existing.email, password: TEST_PASSWORD, name: "X" })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "An account with this email already exists.",
    });
    expect(cookie.token).toBeNull();
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
    const verify = vi.spyOn(password, "verifyPassword");
    const { caller } = await createTestCaller({ db, config });
    await caller.auth.signIn({ email: uniqueEmail(), password: TEST_PASSWORD }).catch(() => {});
    expect(verify).toHaveBeenCalledWith(null, TEST_PASSWORD);
    verify.mockRestore();
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
  it("me needs a session; signOut deletes it and clears the cookie", async () => {
    const user = await createTestUser(db);
    const anonymous = await createTestCaller({ db, config });
    await expect(anonymous.caller.auth.me()).rejects.toMatchObject({ code: "UNAUTHORIZED" });

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
