// Rate limits against the real server: sign-in back-off per account + IP, per account and per IP,
// sign-ups per IP, access tokens per session, the client IP behind a proxy, and the shared stores
// (PostgreSQL, Redis) counting for two server instances at once.
import type { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createCookieClient, readJson, startTestServer, type TestServer } from "../../../tests/setup/http.ts";
import { deleteRedisKeys, REDIS_URL, redisAvailable } from "../../../tests/setup/redis.ts";
import { createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD, uniqueEmail } from "../../../tests/setup/server.ts";
import { createRateLimiter, type RateLimiter } from "./auth/rate-limit.ts";
import { connectRateLimitStore, type RateLimitStoreConnection } from "./auth/rate-limit-store.ts";

const ORIGIN = "http://localhost:5173";
const WRONG_PASSWORD = "not the password";
const BLOCK_MINUTES = 15;
const BLOCK_SECONDS = BLOCK_MINUTES * 60;
const DAY_SECONDS = 24 * 60 * 60;
const db = createTestDatabase();
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await db.$disconnect();
});

async function startServer(overrides: Record<string, string>, rateLimiter?: RateLimiter): Promise<TestServer> {
  const config = createTestConfig({ APP_ORIGIN: ORIGIN, RATE_LIMIT_PASSWORD_BLOCK_MINUTES: String(BLOCK_MINUTES), ...overrides });
  const server = await startTestServer(rateLimiter ? { db, config, rateLimiter } : { db, config });
  cleanups.push(() => server.close());
  return server;
}

/** A sign-in from a browser, optionally through a proxy that says it came from `forwardedFor`. */
function signIn(server: TestServer, email: string, password: string, forwardedFor?: string) {
  const headers: Record<string, string> = forwardedFor ? { "x-forwarded-for": forwardedFor } : {};
  return createCookieClient(server.url, { origin: ORIGIN }).mutate("auth.signIn", { email, password }, { headers });
}

async function expectStatuses(attempts: Array<() => Promise<Response>>, statuses: number[]) {
  const seen: number[] = [];
  for (const attempt of attempts) seen.push((await attempt()).status);
  expect(seen).toEqual(statuses);
}

const times = <T>(count: number, make: (index: number) => T): T[] => Array.from({ length: count }, (_, index) => make(index));

describe("sign-in throttling over HTTP", () => {
  it("refuses the attempt after the configured consecutive failures with 429, Retry-After and the retry time", async () => {
    const server = await startServer({ RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP: "3" });
    const user = await createTestUser(db);
    await expectStatuses(times(3, () => () => signIn(server, user.email, WRONG_PASSWORD)), [401, 401, 401]);

    const tripped = await signIn(server, user.email, WRONG_PASSWORD);
    expect(tripped.status).toBe(429);
    expect(tripped.headers.get("retry-after")).toBe(String(BLOCK_SECONDS));
    const { error } = await readJson(tripped);
    expect(error.message).toBe(`Too many attempts. Try again in ${BLOCK_MINUTES} minutes.`);
    expect(error.data).toMatchObject({ code: "TOO_MANY_REQUESTS", httpStatus: 429, retryAfterSeconds: BLOCK_SECONDS });

    // Blocked: even the right password is not looked at, and no session starts.
    const blocked = await signIn(server, user.email, TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(BLOCK_SECONDS - 5);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it("starts counting again after a successful sign-in", async () => {
    const server = await startServer({ RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP: "3" });
    const user = await createTestUser(db);
    const wrong = () => signIn(server, user.email, WRONG_PASSWORD);
    await expectStatuses([wrong, wrong, () => signIn(server, user.email, TEST_PASSWORD), wrong, wrong, wrong], [401, 401, 200, 401, 401, 401]);
    expect((await wrong()).status).toBe(429);
  });

  it("limits one account across IP addresses (per-account limit)", async () => {
    const server = await startServer({ TRUST_PROXY: "1", RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT: "4" });
    const user = await createTestUser(db);
    const bystander = await createTestUser(db);
    await expectStatuses(
      times(5, (index) => () => signIn(server, user.email, WRONG_PASSWORD, `203.0.113.${index + 1}`)),
      [401, 401, 401, 401, 429],
    );
    // From an address that never failed: the account is blocked everywhere.
    expect((await signIn(server, user.email, TEST_PASSWORD, "198.51.100.77")).status).toBe(429);
    // Other accounts from those addresses are not.
    expect((await signIn(server, bystander.email, TEST_PASSWORD, "203.0.113.1")).status).toBe(200);
  });

  it("limits one IP address across accounts (per-IP limit), unknown emails included", async () => {
    const server = await startServer({ TRUST_PROXY: "1", RATE_LIMIT_PASSWORD_FAILURES_PER_IP: "3" });
    const emails = [uniqueEmail(), (await createTestUser(db)).email, uniqueEmail(), (await createTestUser(db)).email];
    await expectStatuses(
      emails.map((email) => () => signIn(server, email, WRONG_PASSWORD, "192.0.2.10")),
      [401, 401, 401, 429],
    );
    const tripped = await signIn(server, uniqueEmail(), WRONG_PASSWORD, "192.0.2.10");
    expect(tripped.status).toBe(429);
    expect(Number(tripped.headers.get("retry-after"))).toBeGreaterThan(DAY_SECONDS - 5);
    // A success does not refill the IP's budget (an attacker's own account would).
    const own = await createTestUser(db);
    expect((await signIn(server, own.email, TEST_PASSWORD, "192.0.2.10")).status).toBe(429);
    expect((await signIn(server, own.email, TEST_PASSWORD, "192.0.2.11")).status).toBe(200);
  });

  it("ignores X-Forwarded-For without TRUST_PROXY: every attempt counts for the socket's address", async () => {
    const server = await startServer({ RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP: "2" });
    const user = await createTestUser(db);
    await expectStatuses(
      ["203.0.113.1", "203.0.113.2", "203.0.113.3"].map((ip) => () => signIn(server, user.email, WRONG_PASSWORD, ip)),
      [401, 401, 429],
    );
    const other = await createTestUser(db);
    expect((await signIn(server, other.email, TEST_PASSWORD, "203.0.113.9")).status).toBe(200);
    expect(await db.session.findFirst({ where: { userId: other.id }, select: { ip: true } })).toEqual({ ip: "127.0.0.1" });
  });

  it("with TRUST_PROXY=1 takes the address the proxy appended to X-Forwarded-For, not what the client wrote", async () => {
    const server = await startServer({ TRUST_PROXY: "1", RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP: "2" });
    const user = await createTestUser(db);
    await expectStatuses(
      [
        () => signIn(server, user.email, WRONG_PASSWORD, "203.0.113.1"),
        () => signIn(server, user.email, WRONG_PASSWORD, "203.0.113.1"),
        // Another client: its own budget.
        () => signIn(server, user.email, WRONG_PASSWORD, "203.0.113.2"),
        // The first client again, with a forged entry in front of the proxy's: still the first client.
        () => signIn(server, user.email, WRONG_PASSWORD, "198.51.100.1, 203.0.113.1"),
      ],
      [401, 401, 401, 429],
    );
    const other = await createTestUser(db);
    expect((await signIn(server, other.email, TEST_PASSWORD, "10.9.8.7, 203.0.113.50")).status).toBe(200);
    expect(await db.session.findFirst({ where: { userId: other.id }, select: { ip: true } })).toEqual({ ip: "203.0.113.50" });
  });
});

describe("sign-up and token throttling over HTTP", () => {
  it("limits sign-ups per IP address and creates no account when refused", async () => {
    const server = await startServer({ RATE_LIMIT_SIGN_UPS_PER_IP: "2" });
    const emails = times(3, () => uniqueEmail("sign-up"));
    const statuses: number[] = [];
    for (const email of emails) {
      const response = await createCookieClient(server.url, { origin: ORIGIN }).mutate("auth.signUp", { email, password: TEST_PASSWORD, name: "Mallory" });
      statuses.push(response.status);
      if (response.status === 429) expect((await readJson(response)).error.data.retryAfterSeconds).toBeGreaterThan(3500);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(await db.user.count({ where: { email: emails[2] } })).toBe(0);
  });

  it("limits access tokens per session, and only for that session", async () => {
    const server = await startServer({ RATE_LIMIT_ACCESS_TOKENS_PER_SESSION: "2" });
    const user = await createTestUser(db);
    const first = createCookieClient(server.url, { origin: ORIGIN });
    const second = createCookieClient(server.url, { origin: ORIGIN });
    for (const client of [first, second]) await client.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
    await expectStatuses(times(3, () => () => first.mutate("auth.issueAccessToken")), [200, 200, 429]);
    const refused = await first.mutate("auth.issueAccessToken");
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect((await second.mutate("auth.issueAccessToken")).status).toBe(200);
  });
});

describe("shared rate-limit stores: two API instances count together", () => {
  async function startSharedInstances(store: "postgres" | "redis", keyPrefix: string) {
    const config = createTestConfig({
      APP_ORIGIN: ORIGIN,
      RATE_LIMIT_STORE: store,
      RATE_LIMIT_KEY_PREFIX: keyPrefix,
      REDIS_URL,
      RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP: "2",
    });
    const instances: TestServer[] = [];
    const connections: RateLimitStoreConnection[] = [];
    for (let index = 0; index < 2; index++) {
      // Each instance opens its own connection, as separate processes would.
      const connection = await connectRateLimitStore(config);
      connections.push(connection);
      cleanups.push(() => connection.close());
      instances.push(await startServer({}, createRateLimiter(config.rateLimit.policy, connection.store)));
    }
    return { instances, connection: connections[0]! };
  }

  async function expectSharedCounting([first, second]: TestServer[]) {
    const user = await createTestUser(db);
    await expectStatuses(
      [
        () => signIn(first!, user.email, WRONG_PASSWORD),
        () => signIn(second!, user.email, WRONG_PASSWORD),
        () => signIn(first!, user.email, WRONG_PASSWORD),
        () => signIn(second!, user.email, TEST_PASSWORD),
      ],
      [401, 401, 429, 429],
    );
  }

  it("PostgreSQL: the counters are rows of the app's database (rate_limit table from a migration)", async () => {
    const keyPrefix = `test-${crypto.randomUUID()}`;
    const { instances } = await startSharedInstances("postgres", keyPrefix);
    cleanups.push(() => db.rateLimit.deleteMany({ where: { key: { startsWith: keyPrefix } } }));
    await expectSharedCounting(instances);
    const rows = await db.rateLimit.findMany({ where: { key: { startsWith: `${keyPrefix}:` } }, select: { key: true, points: true } });
    expect(rows.map((row) => row.key.split(":")[1]).sort()).toEqual(["password-failures-account", "password-failures-account-ip", "password-failures-ip"]);
  });

  it.skipIf(!redisAvailable)("Redis: the counters are keys under RATE_LIMIT_KEY_PREFIX", async () => {
    const keyPrefix = `latchkey-test-${crypto.randomUUID()}`;
    const { instances, connection } = await startSharedInstances("redis", keyPrefix);
    const client = (connection.store as { client: Redis }).client;
    cleanups.push(() => deleteRedisKeys(client, keyPrefix));
    await expectSharedCounting(instances);
    const keys = await client.keys(`${keyPrefix}:*`);
    expect(keys.map((key) => key.split(":")[1]).sort()).toEqual(["password-failures-account", "password-failures-account-ip", "password-failures-ip"]);
  });
});
