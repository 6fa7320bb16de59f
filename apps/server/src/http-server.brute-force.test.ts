// Brute force under concurrency against the real server (docs/decisions/012): password guesses sent
// at once over separate connections, or batched into tRPC requests, reach argon2 at most as often
// as the limit allows, on every rate-limit store; a batch checks one secret; the hashing pool is
// bounded (503 + Retry-After) and requests that need no hash still answer while it is full.
import { request } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { createBearerClient, createCookieClient, readJson, startTestServer, type TestServer } from "../../../tests/setup/http.ts";
import { deleteRedisKeys, REDIS_URL, redisAvailable } from "../../../tests/setup/redis.ts";
import {
  createCountingPasswordHasher,
  createTestConfig,
  createTestDatabase,
  createTestUser,
  TEST_PASSWORD,
  uniqueEmail,
} from "../../../tests/setup/server.ts";
import { createRateLimiter } from "./auth/rate-limit.ts";
import { connectRateLimitStore } from "./auth/rate-limit-store.ts";

const ORIGIN = "http://localhost:5173";
const WRONG_PASSWORD = "not the password";
const LIMIT = 5;
const ATTEMPTS = 3 * LIMIT;
const db = createTestDatabase();
const cleanups: Array<() => Promise<unknown>> = [];

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await db.$disconnect();
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A POST on a connection of its own (no keep-alive pool): each guess arrives as a separate client would send it. */
function postOnNewConnection(url: string, path: string, body: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${url}${path}`,
      { method: "POST", agent: false, headers: { "content-type": "application/json", origin: ORIGIN } },
      (incoming) => {
        let text = "";
        incoming.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: text }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

const signInPath = (calls: number) => `/trpc/${Array(calls).fill("auth.signIn").join(",")}?batch=1`;
const signInBatch = (email: string, passwords: string[]) =>
  JSON.stringify(Object.fromEntries(passwords.map((password, index) => [index, { email, password }])));

type Store = "memory" | "postgres" | "redis";

async function startServer(store: Store, overrides: Record<string, string> = {}) {
  const keyPrefix = `latchkey-test-${crypto.randomUUID()}`;
  const config = createTestConfig({
    APP_ORIGIN: ORIGIN,
    RATE_LIMIT_STORE: store,
    RATE_LIMIT_KEY_PREFIX: keyPrefix,
    REDIS_URL,
    RATE_LIMIT_PASSWORD_FAILURES_PER_ACCOUNT_AND_IP: String(LIMIT),
    ...overrides,
  });
  const connection = await connectRateLimitStore(config);
  cleanups.push(() => connection.close());
  if (store === "postgres") cleanups.push(() => db.rateLimit.deleteMany({ where: { key: { startsWith: keyPrefix } } }));
  if (connection.store.type === "redis") {
    const { client } = connection.store;
    cleanups.push(() => deleteRedisKeys(client, keyPrefix));
  }
  const { passwordHasher, verifiedHashes } = createCountingPasswordHasher(config);
  const server: TestServer = await startTestServer({
    db,
    config,
    passwordHasher,
    rateLimiter: createRateLimiter(config.rateLimit.policy, connection.store),
  });
  cleanups.push(() => server.close());
  return { url: server.url, verifiedHashes };
}

const statusesOf = (responses: RawResponse[]) => responses.map((response) => response.status).sort();

/** ATTEMPTS wrong passwords at once, each on its own connection, then the right one. */
async function expectParallelGuessesCounted(store: Store) {
  const { url, verifiedHashes } = await startServer(store);
  const user = await createTestUser(db);
  const guesses = await Promise.all(
    Array.from({ length: ATTEMPTS }, () => postOnNewConnection(url, "/trpc/auth.signIn", JSON.stringify({ email: user.email, password: WRONG_PASSWORD }))),
  );
  expect(statusesOf(guesses)).toEqual([...Array(LIMIT).fill(401), ...Array(ATTEMPTS - LIMIT).fill(429)]);
  expect(verifiedHashes).toHaveLength(LIMIT);

  const right = await postOnNewConnection(url, "/trpc/auth.signIn", JSON.stringify({ email: user.email, password: TEST_PASSWORD }));
  expect(right.status).toBe(429);
  expect(Number(right.headers["retry-after"])).toBeGreaterThan(0);
  expect(verifiedHashes).toHaveLength(LIMIT);
  expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
}

/** ATTEMPTS batched requests of 3 wrong sign-ins at once, then the right password in a batch. */
async function expectBatchedGuessesCounted(store: Store) {
  const { url, verifiedHashes } = await startServer(store);
  const user = await createTestUser(db);
  const batches = await Promise.all(
    Array.from({ length: ATTEMPTS }, () => postOnNewConnection(url, signInPath(3), signInBatch(user.email, Array(3).fill(WRONG_PASSWORD)))),
  );
  const codes = batches.flatMap((batch) => (JSON.parse(batch.body) as Array<{ error: { data: { code: string } } }>).map(({ error }) => error.data.code));
  expect(codes.filter((code) => code === "UNAUTHORIZED")).toHaveLength(LIMIT);
  expect(codes.filter((code) => code === "TOO_MANY_REQUESTS")).toHaveLength(ATTEMPTS - LIMIT);
  // The other calls of each batch were refused before they were counted or hashed.
  expect(codes.filter((code) => code === "BAD_REQUEST")).toHaveLength(2 * ATTEMPTS);
  expect(verifiedHashes).toHaveLength(LIMIT);

  const right = await postOnNewConnection(url, signInPath(1), signInBatch(user.email, [TEST_PASSWORD]));
  expect(right.status).toBe(429);
  expect(verifiedHashes).toHaveLength(LIMIT);
  expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
}

// LIMIT = 5 wrong passwords per account + IP, ATTEMPTS = 15 (3 × LIMIT).
describe("count first, then check: guesses sent together reach argon2 at most the limit's times", () => {
  it("memory store: 15 wrong passwords at once on 15 connections, 5 reach argon2, then the right one gets 429", () => expectParallelGuessesCounted("memory"));
  it("memory store: 15 batches of 3 sign-ins at once, one call per batch checked, 5 reach argon2, then the right one gets 429", () =>
    expectBatchedGuessesCounted("memory"));
  it("PostgreSQL store: 15 wrong passwords at once on 15 connections, 5 reach argon2, then the right one gets 429", () =>
    expectParallelGuessesCounted("postgres"));
  it("PostgreSQL store: 15 batches of 3 sign-ins at once, one call per batch checked, 5 reach argon2, then the right one gets 429", () =>
    expectBatchedGuessesCounted("postgres"));
  it.skipIf(!redisAvailable)("Redis store: 15 wrong passwords at once on 15 connections, 5 reach argon2, then the right one gets 429", () =>
    expectParallelGuessesCounted("redis"));
  it.skipIf(!redisAvailable)("Redis store: 15 batches of 3 sign-ins at once, one call per batch checked, 5 reach argon2, then the right one gets 429", () =>
    expectBatchedGuessesCounted("redis"));
});

describe("one secret check per HTTP request", () => {
  it("a batch of 15 sign-ins (the right password last) hashes once and signs nobody in", async () => {
    const { url, verifiedHashes } = await startServer("memory", { TRPC_MAX_BATCH_SIZE: String(ATTEMPTS) });
    const user = await createTestUser(db);
    const passwords = [...Array(ATTEMPTS - 1).fill(WRONG_PASSWORD), TEST_PASSWORD];
    const response = await postOnNewConnection(url, signInPath(ATTEMPTS), signInBatch(user.email, passwords));
    const envelopes = JSON.parse(response.body) as Array<{ error?: { message: string; data: { code: string } } }>;
    expect(envelopes.filter((envelope) => envelope.error?.data.code === "BAD_REQUEST")).toHaveLength(ATTEMPTS - 1);
    expect(envelopes.find((envelope) => envelope.error?.data.code === "BAD_REQUEST")?.error?.message).toBe(
      "Only one password or code check per request: send this call on its own.",
    );
    expect(verifiedHashes).toHaveLength(1);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it("re-authentication, a password change and a sudo call with a password in one batch: one of them is checked", async () => {
    const { url, verifiedHashes } = await startServer("memory");
    const user = await createTestUser(db);
    const signedIn = await createCookieClient(url, { origin: ORIGIN }).mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD, transport: "token" });
    const { token } = (await readJson(signedIn)).result.data;
    verifiedHashes.length = 0;
    const batch = await createBearerClient(url, token).fetch("/trpc/auth.reauthenticate,account.changePassword,session.revokeOthers?batch=1", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        0: { password: WRONG_PASSWORD },
        1: { currentPassword: WRONG_PASSWORD, newPassword: "a brand new passphrase" },
        2: { password: WRONG_PASSWORD },
      }),
    });
    const codes = (await readJson(batch)).map((envelope: { error: { data: { code: string } } }) => envelope.error.data.code);
    expect(codes.filter((code: string) => code === "BAD_REQUEST")).toHaveLength(3);
    expect(verifiedHashes).toHaveLength(1);
  });
});

describe("batch cap (TRPC_MAX_BATCH_SIZE, default 10)", () => {
  it("serves 10 calls in one request and refuses 11 with 400 in tRPC's error shape, before any call runs", async () => {
    const { url, verifiedHashes } = await startServer("memory");
    const user = await createTestUser(db);
    const client = createCookieClient(url, { origin: ORIGIN });
    const ten = await client.fetch(`/trpc/${Array(10).fill("note.list").join(",")}?batch=1`);
    expect(ten.status).toBe(401);
    expect(await readJson(ten)).toHaveLength(10);

    const eleven = await postOnNewConnection(url, signInPath(11), signInBatch(user.email, Array(11).fill(WRONG_PASSWORD)));
    expect(eleven.status).toBe(400);
    const body = JSON.parse(eleven.body);
    expect(body.error).toMatchObject({ message: "Batch call exceeds maximum size", data: { code: "BAD_REQUEST", httpStatus: 400 } });
    expect(verifiedHashes).toHaveLength(0);
  });
});

describe("bounded hashing pool", () => {
  // Stated bound: with 200 sign-ins in flight, a request that needs no hash answers within this.
  const UNHASHED_REQUEST_BOUND_MS = 1_000;
  const SIGN_INS = 200;

  it("200 concurrent sign-ins: those past the pool and its queue get 503 with Retry-After, and auth.me answers within 1000 ms", async () => {
    const { url, verifiedHashes } = await startServer("memory", { PASSWORD_HASH_CONCURRENCY: "2", PASSWORD_HASH_QUEUE: "8" });
    const bystander = await createTestUser(db);
    const client = createCookieClient(url, { origin: ORIGIN });
    expect((await client.mutate("auth.signIn", { email: bystander.email, password: TEST_PASSWORD })).status).toBe(200);
    verifiedHashes.length = 0;

    const flood = Promise.all(
      Array.from({ length: SIGN_INS }, () =>
        postOnNewConnection(url, "/trpc/auth.signIn", JSON.stringify({ email: uniqueEmail(), password: WRONG_PASSWORD })),
      ),
    );
    // Sent while the flood is being handled: the pool is busy with its hashes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const me = await client.query("auth.me");
    const elapsed = performance.now() - started;
    const responses = await flood;

    expect(me.status).toBe(200);
    expect(elapsed).toBeLessThan(UNHASHED_REQUEST_BOUND_MS);
    const busy = responses.filter((response) => response.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.length + responses.filter((response) => response.status === 401).length).toBe(SIGN_INS);
    expect(busy[0]!.headers["retry-after"]).toBe("1");
    expect(JSON.parse(busy[0]!.body).error).toMatchObject({
      message: "The server is busy. Try again in 1 second.",
      data: { code: "SERVICE_UNAVAILABLE", retryAfterSeconds: 1 },
    });
    // Each refused attempt was refunded, each served one hashed: no attempt lost, none uncounted.
    expect(verifiedHashes).toHaveLength(SIGN_INS - busy.length);
  });
});
