// Expired-session cleanup: deleteExpiredSessions and the job that runs it on a timer (fake
// setInterval, real database). Every session here lives in 2001 and every clock reads 2001, so no
// other test file's sessions are ever due; keep all real-database cleanup tests in this file.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDatabase, createTestUser } from "../../../../tests/setup/server.ts";
import type { DatabaseClient } from "../db.ts";
import { startSessionCleanup, type SessionCleanupResult } from "./session-cleanup.ts";
import { createSession, deleteExpiredSessions, type SessionPolicy } from "./session.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const policy: SessionPolicy = { idleTimeoutMs: HOUR, absoluteLifetimeMs: DAY, renewalIntervalMs: 10 * MINUTE };
const T0 = new Date("2001-01-01T00:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const metadata = { userAgent: "vitest", ip: null };

let statements: string[] = [];
const db = createTestDatabase({ onQuery: (sql) => statements.push(sql) });
afterAll(() => db.$disconnect());

beforeEach(async () => {
  // Leftovers of an interrupted run on a persistent DATABASE_URL would change the counts below.
  await deleteExpiredSessions(db, policy, at(30 * DAY));
  statements = [];
});

const deleteStatements = () => statements.filter((sql) => sql.startsWith("DELETE"));

/** `count` sessions of a new user, created at `createdAt` (so idle-expired an hour later). */
async function sessionsCreatedAt(createdAt: Date, count: number) {
  const user = await createTestUser(db);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push((await createSession(db, { userId: user.id, kind: "cookie", metadata }, policy, createdAt)).session.id);
  }
  return ids;
}

async function remaining(ids: string[]): Promise<string[]> {
  const rows = await db.session.findMany({ where: { id: { in: ids } }, select: { id: true } });
  return rows.map((row) => row.id).sort();
}

describe("deleteExpiredSessions", () => {
  it("deletes idle and absolutely expired sessions and keeps live ones", async () => {
    const [idle] = await sessionsCreatedAt(T0, 1);
    const [absolute, live] = await sessionsCreatedAt(T0, 2);
    // Active a minute ago, but past its absolute expiry (T0 + 1 day).
    await db.session.update({ where: { id: absolute }, data: { lastActiveAt: at(DAY - MINUTE) } });
    await db.session.update({ where: { id: live }, data: { lastActiveAt: at(DAY - MINUTE), expiresAt: at(2 * DAY) } });
    statements = [];

    expect(await deleteExpiredSessions(db, policy, at(DAY))).toBe(2);
    expect(await remaining([idle!, absolute!, live!])).toEqual([live]);
  });

  it("deletes in batches of the given size, one DELETE per batch", async () => {
    const expired = await sessionsCreatedAt(T0, 5);
    const live = await sessionsCreatedAt(at(DAY), 1);
    statements = [];

    expect(await deleteExpiredSessions(db, policy, at(DAY + MINUTE), 2)).toBe(5);
    expect(deleteStatements()).toHaveLength(3);
    expect(await remaining([...expired, ...live])).toEqual(live);
  });
});

describe("startSessionCleanup", () => {
  const INTERVAL_MS = 15 * MINUTE;
  let results: SessionCleanupResult[] = [];
  let waiting: (() => void) | null = null;
  const onRun = (result: SessionCleanupResult) => {
    results.push(result);
    waiting?.();
  };
  /** Moves the fake timers on by `ms` and waits for the pass that starts, if one must. */
  async function advance(ms: number): Promise<void> {
    const ran = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    vi.advanceTimersByTime(ms);
    await ran;
  }

  beforeEach(() => {
    // Only the job's timer is fake: the database driver keeps its real timers.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    results = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("runs on the interval in batches of the configured size and keeps live sessions", async () => {
    const now = at(DAY);
    const expired = await sessionsCreatedAt(T0, 3);
    const live = await sessionsCreatedAt(now, 2);
    const stop = startSessionCleanup(db, { policy, intervalMs: INTERVAL_MS, batchSize: 2, clock: () => now, onRun });

    vi.advanceTimersByTime(INTERVAL_MS - 1);
    expect(results).toEqual([]);
    expect(await remaining(expired)).toHaveLength(3);
    statements = [];

    await advance(1);
    expect(results).toEqual([{ deleted: 3 }]);
    expect(deleteStatements()).toHaveLength(2);
    expect(await remaining([...expired, ...live])).toEqual([...live].sort());

    const later = await sessionsCreatedAt(T0, 1);
    await advance(INTERVAL_MS);
    expect(results).toEqual([{ deleted: 3 }, { deleted: 1 }]);
    expect(await remaining(later)).toEqual([]);
    await stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("is off when the interval is 0", async () => {
    const expired = await sessionsCreatedAt(T0, 1);
    const stop = startSessionCleanup(db, { policy, intervalMs: 0, clock: () => at(DAY), onRun });
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(DAY);
    expect(results).toEqual([]);
    expect(await remaining(expired)).toEqual(expired);
    await stop();
  });

  it("reports a failed pass and tries again on the next interval", async () => {
    const failure = new Error("database unavailable");
    const broken = { session: { findMany: () => Promise.reject(failure) } } as unknown as DatabaseClient;
    const stop = startSessionCleanup(broken, { policy, intervalMs: INTERVAL_MS, clock: () => at(DAY), onRun });
    await advance(INTERVAL_MS);
    await advance(INTERVAL_MS);
    expect(results).toEqual([{ error: failure }, { error: failure }]);
    await stop();
  });
});
