// Redis goes away with RATE_LIMIT_STORE=redis (docs/decisions/026-redis-outage.md): sign-ins stay
// limited, counted in the instance's memory, without waiting for Redis; the outage is logged once
// and the recovery once; once Redis is back the counters live there again. Real Redis behind a
// TCP proxy that the test cuts or stalls.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCookieClient, startTestServer, type TestServer } from "../../../../tests/setup/http.ts";
import { createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD } from "../../../../tests/setup/server.ts";
import { deleteRedisKeys, REDIS_URL, redisAvailable } from "../../../../tests/setup/redis.ts";
import { startTcpProxy, type TcpProxy } from "../../../../tests/setup/tcp-proxy.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { connectRateLimitStore, type RateLimitStoreConnection } from "./rate-limit-store.ts";

const ORIGIN = "http://localhost:5173";
const FAILURES = 3;
// A sign-in while Redis is cut or silent: the command time-out (500 ms), an argon2 hash and a busy machine.
const ANSWER_BOUND_MS = 3_000;
const keyPrefix = `latchkey-test-outage-${crypto.randomUUID()}`;
const db = createTestDatabase();
const logged: string[] = [];
const redis = new Redis(REDIS_URL, { lazyConnect: true });
let proxy: TcpProxy;
let connection: RateLimitStoreConnection;
let server: TestServer;

beforeAll(async () => {
  if (!redisAvailable) return;
  await redis.connect();
  const { hostname, port } = new URL(REDIS_URL);
  proxy = await startTcpProxy({ host: hostname, port: Number(port || 6379) });
  const config = createTestConfig({
    APP_ORIGIN: ORIGIN,
    RATE_LIMIT_STORE: "redis",
    REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
    RATE_LIMIT_KEY_PREFIX: keyPrefix,
    RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP: String(FAILURES),
  });
  connection = await connectRateLimitStore(config, { log: (message) => logged.push(message) });
  server = await startTestServer({ db, config, rateLimiter: createRateLimiter(config.rateLimit.policy, connection.store) });
});

afterAll(async () => {
  await server?.close();
  await connection?.close();
  await proxy?.close();
  if (redisAvailable) {
    await deleteRedisKeys(redis, keyPrefix);
    await redis.quit();
  }
  await db.$disconnect();
});

async function signIn(email: string, password: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const response = await createCookieClient(server.url, { origin: ORIGIN }).mutate("auth.signIn", { email, password });
  return { status: response.status, ms: Date.now() - started };
}

async function signInTimes(count: number, email: string, password: string) {
  const answers: { status: number; ms: number }[] = [];
  for (let i = 0; i < count; i++) answers.push(await signIn(email, password));
  return answers;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const redisKeysOf = () => redis.keys(`${keyPrefix}:*`);

// CI runs next to Redis and must test it; a laptop without Redis skips only these tests.
describe.skipIf(!redisAvailable)("Redis goes away while sign-ins are limited in it", () => {
  it("keeps limiting in memory, answers without waiting, and logs the outage and the recovery once each", async () => {
    const before = await createTestUser(db);
    expect((await signIn(before.email, "wrong password")).status).toBe(401);
    expect((await redisKeysOf()).length).toBeGreaterThan(0);

    proxy.setMode({ type: "down" });
    // ioredis retries and reports an error each time; the log says it once.
    await sleep(1_500);
    const during = await createTestUser(db);
    const answers = await signInTimes(FAILURES + 1, during.email, "wrong password");
    expect(answers.map((answer) => answer.status)).toEqual([...Array<number>(FAILURES).fill(401), 429]);
    const blocked = await signIn(during.email, TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    for (const answer of [...answers, blocked]) expect(answer.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect(logged.filter((line) => line.includes("unavailable"))).toHaveLength(1);
    expect(logged[0]).toMatch(/rate-limit store \(redis\) unavailable .*counts in its own memory/);
    const keysDuring = new Set(await redisKeysOf());

    proxy.setMode({ type: "pass" });
    const deadline = Date.now() + 10_000;
    while (logged.length < 2 && Date.now() < deadline) await sleep(100);
    expect(logged).toHaveLength(2);
    expect(logged[1]).toBe("rate-limit store (redis) is back: counting in it again");

    // Counted in Redis again: a new account's failure is a new key there.
    const after = await createTestUser(db);
    expect((await signIn(after.email, "wrong password")).status).toBe(401);
    expect((await redisKeysOf()).filter((key) => !keysDuring.has(key)).length).toBeGreaterThan(0);
  }, 30_000);

  it("does not let a silent Redis hold sign-ins: the command times out and memory counts", async () => {
    const user = await createTestUser(db);
    proxy.setMode({ type: "stall" });
    try {
      const answers = await signInTimes(FAILURES + 1, user.email, "wrong password");
      expect(answers.map((answer) => answer.status)).toEqual([...Array<number>(FAILURES).fill(401), 429]);
      for (const answer of answers) expect(answer.ms).toBeLessThan(ANSWER_BOUND_MS);
    } finally {
      proxy.setMode({ type: "pass" });
      proxy.dropConnections();
    }
  }, 30_000);
});
