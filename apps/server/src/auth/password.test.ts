// argon2id and the unknown-user path: an unknown email must cost the same argon2 work as a wrong
// password (no account enumeration by timing). @node-rs/argon2 is wrapped, not replaced, so every
// verification is real and is counted with its hash's cost parameters; no wall-clock measurement.
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestCaller, createTestConfig, createTestDatabase, createTestUser, uniqueEmail } from "../../../../tests/setup/server.ts";
import { hashPassword, verifyPassword } from "./password.ts";

const argon2 = vi.hoisted(() => ({ verifiedHashes: [] as string[] }));
vi.mock("@node-rs/argon2", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@node-rs/argon2")>();
  return {
    ...actual,
    verify: (hashed: string, ...rest: [string]) => {
      argon2.verifiedHashes.push(hashed);
      return actual.verify(hashed, ...rest);
    },
  };
});

/** `$argon2id$v=19$m=19456,t=2,p=1` of an encoded hash: algorithm, version and cost, without salt and digest. */
const costOf = (encoded: string) => encoded.split("$").slice(0, 4).join("$");
const OWASP_ARGON2ID = "$argon2id$v=19$m=19456,t=2,p=1";

const db = createTestDatabase();
const config = createTestConfig();
afterAll(() => db.$disconnect());
beforeEach(() => {
  argon2.verifiedHashes = [];
});

describe("verifyPassword", () => {
  it("hashes with argon2id at m=19456 KiB, t=2, p=1 and verifies only the right password", async () => {
    const hashed = await hashPassword("correct horse battery staple");
    expect(costOf(hashed)).toBe(OWASP_ARGON2ID);
    expect(await verifyPassword(hashed, "correct horse battery staple")).toBe(true);
    expect(await verifyPassword(hashed, "correct horse battery stapler")).toBe(false);
  });

  it("checks an unknown user's attempt against a dummy argon2id hash of the same cost", async () => {
    expect(await verifyPassword(null, "anything at all")).toBe(false);
    expect(argon2.verifiedHashes.map(costOf)).toEqual([OWASP_ARGON2ID]);
  });
});

describe("auth.signIn timing", () => {
  it("runs one argon2id verification of the same cost for an unknown email as for a wrong password", async () => {
    const user = await createTestUser(db);
    const { caller } = await createTestCaller({ db, config });

    const wrongPassword = await caller.auth.signIn({ email: user.email, password: "not the password" }).catch((error: unknown) => error);
    const forWrongPassword = argon2.verifiedHashes.splice(0);
    const unknownEmail = await caller.auth.signIn({ email: uniqueEmail(), password: "not the password" }).catch((error: unknown) => error);
    const forUnknownEmail = argon2.verifiedHashes.splice(0);

    expect(forWrongPassword.map(costOf)).toEqual([OWASP_ARGON2ID]);
    expect(forUnknownEmail.map(costOf)).toEqual([OWASP_ARGON2ID]);
    // The same answer, too.
    expect(unknownEmail).toMatchObject({ code: "UNAUTHORIZED", message: "Invalid email or password." });
    expect(wrongPassword).toMatchObject({ code: "UNAUTHORIZED", message: "Invalid email or password." });
  });
});
