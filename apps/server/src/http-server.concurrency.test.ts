// Concurrency over real HTTP: many sign-ins for one account and many renewals of one session at
// once lose no session and create no duplicates (a fake clock makes every validation a renewal);
// requests that arrive together, whose session lookups share one statement, each get their own
// session or none.
import { describe, expect, it } from "vitest";
import { createBearerClient, createCookieClient, readJson, useTestServer } from "../../../tests/setup/http.ts";
import { createTestClock, createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD } from "../../../tests/setup/server.ts";
import { createSession } from "./auth/session.ts";
import { generateSessionToken } from "./auth/token.ts";

const ORIGIN = "http://localhost:5173";
const PARALLEL_REQUESTS = 50;
const MINUTE = 60_000;
// Statements that looked up several sessions at once.
let sharedLookups = 0;
const db = createTestDatabase({ onQuery: (sql) => void (sql.includes("= ANY(") && sharedLookups++) });
const config = createTestConfig({ APP_ORIGIN: ORIGIN });
const clock = createTestClock();
const server = useTestServer({ db, config, clock: clock.now });

const times = <T>(count: number, make: () => Promise<T>) => Promise.all(Array.from({ length: count }, make));

describe("concurrent requests", () => {
  it("50 parallel sign-ins for one user create exactly 50 distinct sessions", async () => {
    const user = await createTestUser(db);
    const clients = Array.from({ length: PARALLEL_REQUESTS }, () => createCookieClient(server.url, { origin: ORIGIN }));
    const responses = await Promise.all(clients.map((client) => client.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD })));

    expect(responses.map((response) => response.status)).toEqual(Array(PARALLEL_REQUESTS).fill(200));
    const tokens = clients.map((client) => client.jar.get("latchkey_session")!);
    expect(new Set(tokens).size).toBe(PARALLEL_REQUESTS);
    const rows = await db.session.findMany({ where: { userId: user.id }, select: { id: true } });
    expect(rows.map((row) => row.id).sort()).toEqual(tokens.map((token) => token.split(".")[0]).sort());

    // Every one of them is a working session.
    const checks = await Promise.all(clients.map((client) => client.query("auth.me")));
    expect(checks.map((response) => response.status)).toEqual(Array(PARALLEL_REQUESTS).fill(200));
  });

  it("50 parallel renewals of one session keep exactly that session, renewed once to the current time", async () => {
    const user = await createTestUser(db);
    const client = createCookieClient(server.url, { origin: ORIGIN });
    await client.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
    const token = client.jar.get("latchkey_session")!;
    const sessionId = token.split(".")[0]!;
    const signedInAt = clock.now();

    // Every validation below is due a renewal: more than the renewal interval has passed.
    clock.advance(config.session.renewalIntervalMs + MINUTE);
    const responses = await times(PARALLEL_REQUESTS, () => client.query("auth.me"));

    expect(responses.map((response) => response.status)).toEqual(Array(PARALLEL_REQUESTS).fill(200));
    for (const response of responses) {
      expect(response.headers.getSetCookie()).toEqual([]);
      expect((await readJson(response)).result.data.session.id).toBe(sessionId);
    }
    const rows = await db.session.findMany({ where: { userId: user.id }, select: { id: true, lastActiveAt: true, createdAt: true } });
    expect(rows).toEqual([{ id: sessionId, lastActiveAt: clock.now(), createdAt: signedInAt }]);
    expect((await client.query("auth.me")).status).toBe(200);
  });

  it("parallel requests and batches on many sessions, forged secrets and unknown ids among them: each gets its own session or 401", async () => {
    const sessions = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const user = await createTestUser(db);
        const { token } = await createSession(db, { userId: user.id, kind: "bearer", metadata: { userAgent: "vitest", ip: null } }, config.session, clock.now());
        return { userId: user.id, token };
      }),
    );
    // A known id with another session's secret, and tokens no session has.
    const forged = sessions.map(({ token }, index) => `${token.split(".")[0]}.${sessions[(index + 1) % sessions.length]!.token.split(".")[1]}`);
    const unknown = sessions.map(() => generateSessionToken().token);
    const batch = (token: string) =>
      createBearerClient(server.url, token).fetch(`/trpc/auth.me,auth.me?batch=1&input=${encodeURIComponent("{}")}`);
    for (let round = 0; round < 3; round++) {
      const [own, ownBatches, forgedAnswers, unknownAnswers] = await Promise.all([
        Promise.all(sessions.map(({ token }) => createBearerClient(server.url, token).query("auth.me"))),
        Promise.all(sessions.map(({ token }) => batch(token))),
        Promise.all(forged.map((token) => createBearerClient(server.url, token).query("auth.me"))),
        Promise.all(unknown.map((token) => batch(token))),
      ]);
      const users = await Promise.all(own.map(async (response) => (await readJson(response)).result.data.user.id));
      expect(users).toEqual(sessions.map(({ userId }) => userId));
      const batchUsers = await Promise.all(ownBatches.map(async (response) => ((await response.json()) as { result: { data: { user: { id: string } } } }[]).map((entry) => entry.result.data.user.id)));
      expect(batchUsers).toEqual(sessions.map(({ userId }) => [userId, userId]));
      expect([...forgedAnswers, ...unknownAnswers].map((response) => response.status)).toEqual(Array(sessions.length * 2).fill(401));
    }
    // What this test is about happened: lookups of different requests shared statements.
    expect(sharedLookups).toBeGreaterThan(0);
  });
});
