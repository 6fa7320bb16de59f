import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../db.ts";
import { createTestConfig, createTestDatabase, createTestUser } from "../../../../tests/setup/server.ts";
import {
  createSession,
  invalidateUserSessions,
  validateSessionToken,
  type SessionPolicy,
} from "./session.ts";
import { generateSessionToken, hashSessionSecret } from "./token.ts";

const MINUTE = 60_000;
const policy: SessionPolicy = { idleTimeoutMs: 60 * MINUTE, absoluteLifetimeMs: 24 * 60 * MINUTE, renewalIntervalMs: 10 * MINUTE };
const metadata = { userAgent: "vitest", ip: "127.0.0.1" };
const T0 = new Date("2026-01-01T00:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE);

let statements: string[] = [];
let db: Database;

beforeAll(() => {
  createTestConfig();
  db = createTestDatabase({ onQuery: (sql) => statements.push(sql) });
});
afterAll(() => db.$disconnect());

async function newSession() {
  const user = await createTestUser(db);
  const created = await createSession(db, { userId: user.id, kind: "cookie", metadata }, policy, T0);
  statements = [];
  return { user, ...created };
}

describe("validateSessionToken", () => {
  it("returns the session and its user with exactly one SQL statement", async () => {
    const { user, token, session } = await newSession();
    const result = await validateSessionToken(db, token, policy, at(1));
    expect(result.user).toEqual(user);
    // Every field, as created: the validation query reads exactly what the session model holds.
    expect(result.session).toEqual(session);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^SELECT/);
  });

  it("looks up sessions whose requests arrive together with one statement, each its own row", async () => {
    const sessions = [await newSession(), await newSession(), await newSession()];
    statements = [];
    const wrongSecret = `${sessions[1]!.session.id}.${generateSessionToken().secret}`;
    const results = await Promise.all([
      ...sessions.map(({ token }) => validateSessionToken(db, token, policy, at(1))),
      // The same session twice, an unknown one and a wrong secret for a known one, in the same turn.
      validateSessionToken(db, sessions[0]!.token, policy, at(1)),
      validateSessionToken(db, generateSessionToken().token, policy, at(1)),
      validateSessionToken(db, wrongSecret, policy, at(1)),
    ]);
    expect(statements).toHaveLength(1);
    expect(results.map((result) => result.user?.id ?? null)).toEqual([...sessions.map(({ user }) => user.id), sessions[0]!.user.id, null, null]);
    expect(results.slice(0, 3).map((result) => result.session?.id)).toEqual(sessions.map(({ session }) => session.id));
  });

  it("writes at most once per renewal interval", async () => {
    const { token, session } = await newSession();
    for (const minute of [1, 5, 9]) await validateSessionToken(db, token, policy, at(minute));
    expect(statements.filter((sql) => !sql.startsWith("SELECT"))).toHaveLength(0);

    const renewed = await validateSessionToken(db, token, policy, at(10));
    expect(renewed.session?.lastActiveAt).toEqual(at(10));
    expect(statements.filter((sql) => sql.startsWith("UPDATE"))).toHaveLength(1);
    const row = await db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.lastActiveAt).toEqual(at(10));

    statements = [];
    await validateSessionToken(db, token, policy, at(19));
    expect(statements).toHaveLength(1);
  });

  it("slides the idle timeout with activity", async () => {
    const { token } = await newSession();
    // Renewed at 50 min, so still alive at 100 min (50 + 60 idle), although 100 > 60.
    expect((await validateSessionToken(db, token, policy, at(50))).session).not.toBeNull();
    expect((await validateSessionToken(db, token, policy, at(100))).session).not.toBeNull();
  });

  it("expires after the idle timeout and deletes the row", async () => {
    const { token, session } = await newSession();
    expect((await validateSessionToken(db, token, policy, at(60))).session).toBeNull();
    expect(await db.session.findUnique({ where: { id: session.id } })).toBeNull();
  });

  it("expires at the absolute lifetime however active the session is", async () => {
    const { token, session } = await newSession();
    for (let minute = 50; minute < 24 * 60; minute += 50) {
      expect((await validateSessionToken(db, token, policy, at(minute))).session).not.toBeNull();
    }
    expect((await validateSessionToken(db, token, policy, at(24 * 60))).session).toBeNull();
    expect(await db.session.findUnique({ where: { id: session.id } })).toBeNull();
  });

  it("rejects a wrong secret without touching the row", async () => {
    const { token, session } = await newSession();
    const forged = `${session.id}.${generateSessionToken().secret}`;
    expect(await validateSessionToken(db, forged, policy, at(1))).toEqual({ session: null, user: null });
    expect(await db.session.findUnique({ where: { id: session.id } })).not.toBeNull();
    expect((await validateSessionToken(db, token, policy, at(1))).session).not.toBeNull();
  });

  it("rejects malformed and unknown tokens without a query for malformed ones", async () => {
    statements = [];
    expect((await validateSessionToken(db, "garbage", policy, T0)).session).toBeNull();
    expect(statements).toHaveLength(0);
    expect((await validateSessionToken(db, generateSessionToken().token, policy, T0)).session).toBeNull();
  });

  it("stores only the secret's hash", async () => {
    const { token, session } = await newSession();
    const [, secret] = token.split(".");
    const row = await db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(Buffer.from(row.secretHash)).toEqual(Buffer.from(hashSessionSecret(secret!)));
    expect(JSON.stringify(row)).not.toContain(secret);
  });
});

describe("invalidateUserSessions", () => {
  it("ends every other session of the user and no one else's", async () => {
    const { user, session } = await newSession();
    await createSession(db, { userId: user.id, kind: "bearer", metadata }, policy, T0);
    const stranger = await newSession();
    expect(await invalidateUserSessions(db, user.id, { exceptSessionId: session.id })).toBe(1);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(1);
    expect(await db.session.count({ where: { id: stranger.session.id } })).toBe(1);
  });
});
