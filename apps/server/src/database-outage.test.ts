// The database goes away under load (DESIGN §8): a cluster of the test's own is stopped and started
// while clients write, and a TCP proxy makes it slow or silent. Callers get 503 + Retry-After in
// tRPC's error shape within a stated bound, never a 500 or a hang; the app recovers by itself, and
// every acknowledged write is there, once and whole.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBearerClient, readJson, startTestServer, type TestServer } from "../../../tests/setup/http.ts";
import { startPostgresCluster, type PostgresCluster } from "../../../tests/setup/postgres-cluster.ts";
import { createTestConfig, createTestUser, TEST_PASSWORD, uniqueEmail } from "../../../tests/setup/server.ts";
import { startTcpProxy, type TcpProxy } from "../../../tests/setup/tcp-proxy.ts";
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseOutageError } from "./database-outage.ts";
import { createDatabase, type Database } from "./db.ts";

const CONNECT_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 1_500;
// The stated bound: one connect or pool wait, one statement and the client's grace on a silent
// server, plus a second for the machine being busy. No request may take longer during an outage.
const OUTAGE_ANSWER_BOUND_MS = CONNECT_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 1_000 + 1_000;
// After the database is back, the first request succeeds within this long.
const RECOVERY_BOUND_MS = 5_000;
const WORKERS = 6;
const MAX_REQUESTS = 3_000;

let cluster: PostgresCluster;
let proxy: TcpProxy;
let db: Database;
let server: TestServer;

beforeAll(async () => {
  cluster = await startPostgresCluster();
  proxy = await startTcpProxy({ host: "127.0.0.1", port: cluster.port });
  const url = cluster.url.replace(`:${cluster.port}/`, `:${proxy.port}/`);
  db = createDatabase({ url, poolMax: 4, connectTimeoutMs: CONNECT_TIMEOUT_MS, statementTimeoutMs: STATEMENT_TIMEOUT_MS });
  server = await startTestServer({ db, config: createTestConfig({ DATABASE_URL: url }) });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await db?.$disconnect();
  await proxy?.close();
  await cluster?.destroy();
});

async function signInWithToken(email: string): Promise<string> {
  const response = await fetch(`${server.url}/trpc/auth.signIn`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: TEST_PASSWORD, transport: "token" }),
  });
  expect(response.status).toBe(200);
  return (await readJson(response)).result.data.token;
}

/** A 503 as tRPC's clients read it: the error envelope(s), the code, the retry time in body and header. */
async function expectServiceUnavailable(response: Response, calls = 1): Promise<void> {
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe(String(DATABASE_RETRY_AFTER_SECONDS));
  expect(response.headers.get("cache-control")).toBe("no-store");
  const body = await readJson(response);
  const envelopes = Array.isArray(body) ? body : [body];
  expect(envelopes).toHaveLength(calls);
  for (const { error } of envelopes) {
    expect(error.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
    expect(error.message).toBe(`The server is busy. Try again in ${DATABASE_RETRY_AFTER_SECONDS} seconds.`);
    expect(JSON.stringify(error)).not.toMatch(/postgres|prisma|ECONN|terminat/i);
  }
}

type Write =
  | { kind: "note"; title: string }
  | { kind: "session"; email: string }
  | { kind: "sign-up"; email: string };

interface Outcome {
  write: Write;
  status: number;
  ms: number;
  retryAfter: string | null;
  body: any;
  finishedAt: number;
}

describe("the database stops and starts under load", () => {
  it("answers 503 + Retry-After within the bound, recovers by itself, and loses no acknowledged write", async () => {
    const users = await Promise.all(Array.from({ length: WORKERS }, () => createTestUser(db)));
    const tokens = await Promise.all(users.map((user) => signInWithToken(user.email)));
    const outcomes: Outcome[] = [];
    let running = true;
    let sent = 0;

    async function send(worker: number, write: Write): Promise<void> {
      const client = createBearerClient(server.url, tokens[worker]!);
      const started = Date.now();
      const signal = AbortSignal.timeout(30_000);
      const response =
        write.kind === "note"
          ? await client.mutate("note.create", { title: write.title, body: `body of ${write.title}` }, { signal })
          : write.kind === "session"
            ? await fetch(`${server.url}/trpc/auth.signIn`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ email: write.email, password: TEST_PASSWORD, transport: "token" }),
                signal,
              })
            : await fetch(`${server.url}/trpc/auth.signUp`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ email: write.email, password: TEST_PASSWORD, name: "Outage Test" }),
                signal,
              });
      const body = await response.json().catch(() => null);
      outcomes.push({ write, status: response.status, ms: Date.now() - started, retryAfter: response.headers.get("retry-after"), body, finishedAt: Date.now() });
    }

    const load = Array.from({ length: WORKERS }, async (_, worker) => {
      for (let i = 0; running && sent < MAX_REQUESTS; i++) {
        sent++;
        const kind = i % 5 === 4 ? "sign-up" : i % 5 === 3 ? "session" : "note";
        const write: Write =
          kind === "note"
            ? { kind, title: `w${worker}-${i}-${crypto.randomUUID()}` }
            : kind === "session"
              ? { kind, email: users[worker]!.email }
              : { kind, email: uniqueEmail("outage") };
        await send(worker, write);
      }
    });

    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stoppedAt = Date.now();
    await cluster.stop();
    try {
      // While it is down: a batch, a query and a readiness probe get their 503s too.
      const trpcBatch = await createBearerClient(server.url, tokens[0]!).fetch("/trpc/note.create,note.create?batch=1", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ 0: { title: "batched" }, 1: { title: "batched" } }),
      });
      await expectServiceUnavailable(trpcBatch, 2);
      await expectServiceUnavailable(await createBearerClient(server.url, tokens[0]!).query("note.list"));
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    } finally {
      await cluster.start();
    }
    const restartedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, RECOVERY_BOUND_MS + 1_000));
    running = false;
    await Promise.all(load);

    // Every answer is a success or a well-formed 503, in time.
    expect(outcomes.filter((outcome) => outcome.status !== 200 && outcome.status !== 503)).toEqual([]);
    const unavailable = outcomes.filter((outcome) => outcome.status === 503);
    expect(unavailable.length).toBeGreaterThan(0);
    for (const outcome of unavailable) {
      expect(outcome.retryAfter).toBe(String(DATABASE_RETRY_AFTER_SECONDS));
      expect(outcome.body.error.data.code).toBe("SERVICE_UNAVAILABLE");
    }
    expect(Math.max(...outcomes.map((outcome) => outcome.ms))).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
    expect(outcomes.some((outcome) => outcome.status === 200 && outcome.finishedAt < stoppedAt)).toBe(true);
    // Recovered by itself: successes soon after the restart, and every request after that succeeds.
    const firstSuccessAfter = Math.min(...outcomes.filter((o) => o.status === 200 && o.finishedAt > restartedAt).map((o) => o.finishedAt));
    expect(firstSuccessAfter - restartedAt).toBeLessThan(RECOVERY_BOUND_MS);
    expect(outcomes.filter((o) => o.finishedAt > firstSuccessAfter + 1_000 && o.status !== 200)).toEqual([]);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    // Acknowledged writes are all there, whole and once; unacknowledged ones at most once.
    const notes = await db.note.findMany({
      where: { ownerId: { in: users.map((user) => user.id) } },
      select: { title: true, body: true },
    });
    const notesByTitle = new Map(notes.map((note) => [note.title, note.body]));
    expect(notesByTitle.size).toBe(notes.length);
    for (const [title, body] of notesByTitle) expect(body).toBe(`body of ${title}`);
    for (const { write, status, body } of outcomes) {
      if (status !== 200) continue;
      if (write.kind === "note") expect(notesByTitle.has(write.title)).toBe(true);
      if (write.kind === "session") {
        const sessionId = String(body.result.data.token).split(".")[0]!;
        expect(await db.session.count({ where: { id: sessionId } })).toBe(1);
      }
      if (write.kind === "sign-up") {
        const user = await db.user.findUnique({ where: { email: write.email }, select: { name: true, passwordHash: true } });
        expect(user?.name).toBe("Outage Test");
        expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
      }
    }
  }, 60_000);
});

describe("a slow or silent database", () => {
  it("tells an outage from a failed statement: a constraint violation stays what it is", async () => {
    const { email } = await createTestUser(db);
    const duplicate = await createTestUser(db, { email }).catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(Error);
    expect(isDatabaseOutageError(duplicate)).toBe(false);
  });

  it("tells an outage on the session lookup's own pool (db.sql, plain node-postgres errors)", async () => {
    const lookup = { name: "outage_probe", text: "SELECT pg_sleep($1::float8)" };
    const timedOut = await db.sql.query(lookup, [(STATEMENT_TIMEOUT_MS * 2) / 1000]).catch((error: unknown) => error);
    expect(isDatabaseOutageError(timedOut)).toBe(true);
    const unreachable = createDatabase({ url: "postgresql://postgres@127.0.0.1:1/none", poolMax: 1 });
    const refused = await unreachable.sql.query(lookup, [0]).catch((error: unknown) => error);
    await unreachable.$disconnect();
    expect(isDatabaseOutageError(refused)).toBe(true);
    const failed = await db.sql.query({ name: "outage_probe_typo", text: "SELECT * FROM no_such_table" }, []).catch((error: unknown) => error);
    expect(isDatabaseOutageError(failed)).toBe(false);
  });

  it("survives an idle connection of the lookup's pool breaking before Prisma sent anything", async () => {
    // A fresh client whose first (and only) user is db.sql: Prisma's adapter has not attached its
    // pool error listener yet, so an unhandled idle error would end the process.
    const lookupOnly = createDatabase({ url: cluster.url, poolMax: 1 });
    const backend = { name: "backend_probe", text: "SELECT pg_backend_pid() AS pid" };
    const [before] = await lookupOnly.sql.query<{ pid: number }>(backend, []);
    const admin = createDatabase({ url: cluster.url, poolMax: 1 });
    await admin.$queryRaw`SELECT pg_terminate_backend(${before!.pid})`;
    await admin.$disconnect();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [after] = await lookupOnly.sql.query<{ pid: number }>(backend, []);
    expect(after!.pid).not.toBe(before!.pid);
    await lookupOnly.$disconnect();
  });

  it("sets the statement timeout on every connection", async () => {
    const [row] = await db.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`;
    expect(row!.statement_timeout).toBe(`${STATEMENT_TIMEOUT_MS}ms`);
  });

  it("answers slowly while the network is slow, and 503 within the bound when the database stalls", async () => {
    const user = await createTestUser(db);
    const client = createBearerClient(server.url, await signInWithToken(user.email));
    try {
      proxy.setMode({ type: "delay", ms: 100 });
      const slow = Date.now();
      expect((await client.query("note.list")).status).toBe(200);
      expect(Date.now() - slow).toBeGreaterThanOrEqual(100);

      // Stalled: pooled connections wait for answers that never come (statement timeout), new ones
      // for a handshake (connect timeout), and the requests beyond the pool for a connection
      // (pool-acquire timeout). Twice the pool's size of requests at once meets all three.
      proxy.setMode({ type: "stall" });
      const started = Date.now();
      const responses = await Promise.all(Array.from({ length: 8 }, () => client.query("note.list")));
      for (const response of responses) await expectServiceUnavailable(response);
      expect(Date.now() - started).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
      const ready = Date.now();
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      expect(Date.now() - ready).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
    } finally {
      proxy.setMode({ type: "pass" });
      proxy.dropConnections();
    }
    const recovered = Date.now();
    let status = 0;
    while (status !== 200 && Date.now() - recovered < RECOVERY_BOUND_MS) status = (await client.query("note.list")).status;
    expect(status).toBe(200);
  }, 30_000);
});
