// Concurrency over real HTTP: many sign-ins for one account and many renewals of one session at
// once lose no session and create no duplicates (a fake clock makes every validation a renewal).
import { describe, expect, it } from "vitest";
import { createCookieClient, readJson, useTestServer } from "../../../tests/setup/http.ts";
import { createTestClock, createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD } from "../../../tests/setup/server.ts";

const ORIGIN = "http://localhost:5173";
const PARALLEL_REQUESTS = 50;
const MINUTE = 60_000;
const db = createTestDatabase();
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
});
