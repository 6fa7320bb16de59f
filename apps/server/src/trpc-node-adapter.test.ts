// The lean tRPC adapter against tRPC's own fetch adapter: the same requests to two real servers,
// one with each, get the same status, body bytes and tRPC headers; and plain JSON calls never
// reach the fetch adapter, while every other shape still does.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as fetchAdapterModule from "@trpc/server/adapters/fetch";
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { startTestServer, type TestServer } from "../../../tests/setup/http.ts";
import { createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD } from "../../../tests/setup/server.ts";
import type { HttpServerDeps } from "./http-server.ts";
import { createTrpcNodeHandler } from "./trpc-node-adapter.ts";
import { appRouter } from "./routers/_app.ts";
import { createTooManyRequestsError, protectedProcedure, publicProcedure, router } from "./trpc.ts";

vi.mock("@trpc/server/adapters/fetch", async (importOriginal) => {
  const original = await importOriginal<typeof import("@trpc/server/adapters/fetch")>();
  return { ...original, fetchRequestHandler: vi.fn(original.fetchRequestHandler) };
});
const fetchRequestHandler = vi.mocked(fetchAdapterModule.fetchRequestHandler);

const ORIGIN = "http://localhost:5173";
const MAX_BATCH_SIZE = 3;

const testRouter = router({
  t: router({
    hello: publicProcedure.query(() => ({ greeting: "hello", at: new Date(0) })),
    echo: publicProcedure.input(z.object({ text: z.string().max(5) })).query(({ input }) => input),
    whoami: protectedProcedure.query(({ ctx }) => ctx.user.email),
    add: publicProcedure.input(z.object({ a: z.number(), b: z.number() })).mutation(({ input }) => input.a + input.b),
    touch: publicProcedure.mutation(({ input }) => ({ input: input ?? null })),
    fail: publicProcedure.query(() => {
      throw new Error("connection string postgres://secret leaked");
    }),
    limited: publicProcedure.query(() => {
      throw createTooManyRequestsError(42);
    }),
    teapot: publicProcedure.query(() => {
      throw new TRPCError({ code: "CONFLICT", message: "Already there." });
    }),
    deferred: publicProcedure.query(() => ({ later: Promise.resolve(1) })),
    huge: publicProcedure.query(() => ({ count: BigInt(1) })),
  }),
});

const db = createTestDatabase();
const config = createTestConfig({ APP_ORIGIN: ORIGIN, TRPC_MAX_BATCH_SIZE: String(MAX_BATCH_SIZE) });

interface Pair {
  lean: TestServer;
  fetch: TestServer;
}

async function startPair(deps: HttpServerDeps): Promise<Pair> {
  return { lean: await startTestServer(deps), fetch: await startTestServer({ ...deps, trpcAdapter: "fetch" }) };
}

let tests: Pair;
let app: Pair;
beforeAll(async () => {
  tests = await startPair({ db, config, router: testRouter });
  app = await startPair({ db, config });
  return async () => {
    for (const server of [tests.lean, tests.fetch, app.lean, app.fetch]) await server.close();
    await db.$disconnect();
  };
});

type Call = { target: string; method?: "GET" | "POST"; body?: string | Buffer; headers?: Record<string, string> };

async function send(server: TestServer, call: Call) {
  const response = await fetch(`${server.url}${call.target}`, {
    method: call.method ?? "GET",
    headers: { origin: ORIGIN, ...(call.method === "POST" ? { "content-type": "application/json" } : {}), ...call.headers },
    body: call.body,
  });
  const headers = Object.fromEntries(
    ["content-type", "vary", "retry-after", "cache-control", "set-cookie"].map((name) => [name, response.headers.get(name)]),
  );
  return { status: response.status, headers, body: await response.text() };
}

/** Sends `call` to both servers and expects the same answer; returns it and whether the lean one used the fetch adapter. */
async function expectSameAnswer(pair: Pair, call: Call) {
  fetchRequestHandler.mockClear();
  const lean = await send(pair.lean, call);
  const leanUsedFetchAdapter = fetchRequestHandler.mock.calls.length > 0;
  const reference = await send(pair.fetch, call);
  expect(lean, `${call.method ?? "GET"} ${call.target}`).toEqual(reference);
  return { ...lean, leanUsedFetchAdapter };
}

const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe("the lean adapter answers as tRPC's fetch adapter does", () => {
  const plainCalls: Array<[string, Call, number]> = [
    ["a query", { target: "/trpc/t.hello" }, 200],
    ["a query with input", { target: `/trpc/t.echo?input=${input({ text: "hi" })}` }, 200],
    ["input that fails its schema (zod errors)", { target: `/trpc/t.echo?input=${input({ text: "far too long" })}` }, 400],
    ["input that is not JSON", { target: "/trpc/t.echo?input=%7Bnope" }, 400],
    ["an empty input", { target: "/trpc/t.hello?input=" }, 200],
    ["unstorable text (NUL)", { target: `/trpc/t.echo?input=${input({ text: "a\u0000" })}` }, 400],
    ["a batch", { target: `/trpc/t.hello,t.echo?batch=1&input=${input({ 1: { text: "x" } })}` }, 200],
    ["a batch with one failing call (207)", { target: `/trpc/t.hello,t.echo?batch=1&input=${input({ 1: { text: 1 } })}` }, 207],
    ["a batch whose input is not an object", { target: `/trpc/t.hello,t.echo?batch=1&input=${input([1])}` }, 400],
    ["a batch of one", { target: "/trpc/t.hello?batch=1&input=%7B%7D" }, 200],
    ["an internal error (message hidden)", { target: "/trpc/t.fail" }, 500],
    ["a rate-limited call (Retry-After)", { target: "/trpc/t.limited" }, 429],
    ["a rate-limited call in a batch", { target: "/trpc/t.limited,t.hello?batch=1" }, 207],
    ["a conflict", { target: "/trpc/t.teapot" }, 409],
    ["a promise in a plain answer", { target: "/trpc/t.deferred" }, 415],
    ["a promise in a batched answer", { target: "/trpc/t.deferred,t.hello?batch=1" }, 207],
    ["an answer that does not serialise", { target: "/trpc/t.huge" }, 500],
    ["a protected query without a session", { target: "/trpc/t.whoami" }, 401],
    ["a mutation", { target: "/trpc/t.add", method: "POST", body: JSON.stringify({ a: 1, b: 2 }) }, 200],
    ["a mutation with a body that is not JSON", { target: "/trpc/t.add", method: "POST", body: "{" }, 400],
    ["a mutation without a body", { target: "/trpc/t.touch", method: "POST" }, 200],
    ["a mutation body with a UTF-8 BOM", { target: "/trpc/t.add", method: "POST", body: Buffer.from(`\uFEFF${JSON.stringify({ a: 2, b: 2 })}`) }, 200],
    ["a batched mutation", { target: "/trpc/t.add,t.touch?batch=1", method: "POST", body: JSON.stringify({ 0: { a: 1, b: 1 } }) }, 200],
    ["a JSON content type with parameters", { target: "/trpc/t.add", method: "POST", body: "{\"a\":1,\"b\":1}", headers: { "content-type": "Application/JSON; charset=utf-8" } }, 200],
  ];
  for (const [name, call, status] of plainCalls) {
    it(`${name}, without the fetch adapter`, async () => {
      const answer = await expectSameAnswer(tests, call);
      expect(answer.status).toBe(status);
      expect(answer.leanUsedFetchAdapter).toBe(false);
    });
  }

  const otherShapes: Array<[string, Call, number]> = [
    ["an unknown procedure", { target: "/trpc/t.nope" }, 404],
    ["a mutation over GET", { target: "/trpc/t.add" }, 405],
    ["a query over POST", { target: "/trpc/t.hello", method: "POST", body: "{}" }, 405],
    ["a batch over the limit", { target: "/trpc/t.hello,t.hello,t.hello,t.hello?batch=1" }, 400],
    ["a batch mixing queries and an unknown path", { target: "/trpc/t.hello,t.nope?batch=1" }, 207],
    ["a percent-encoded path", { target: "/trpc/t%2Ehello" }, 200],
    ["a trailing slash", { target: "/trpc/t.hello/" }, 200],
    ["a streaming batch (trpc-accept)", { target: "/trpc/t.hello?batch=1", headers: { "trpc-accept": "application/jsonl" } }, 200],
    ["a query with a content type that is not JSON", { target: "/trpc/t.hello", headers: { "content-type": "application/octet-stream" } }, 405],
  ];
  for (const [name, call, status] of otherShapes) {
    it(`${name}, through the fetch adapter`, async () => {
      const answer = await expectSameAnswer(tests, call);
      expect(answer.status).toBe(status);
      expect(answer.leanUsedFetchAdapter).toBe(true);
    });
  }

  it("auth.me for a cookie session, signed out, and with a stale cookie (cleared)", async () => {
    const user = await createTestUser(db);
    const signIn = await send(app.lean, { target: "/trpc/auth.signIn", method: "POST", body: JSON.stringify({ email: user.email, password: TEST_PASSWORD }) });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers["set-cookie"]!.split(";", 1)[0]!;
    const me = await expectSameAnswer(app, { target: "/trpc/auth.me", headers: { cookie } });
    expect(JSON.parse(me.body).result.data.user.email).toBe(user.email);
    expect(me.leanUsedFetchAdapter).toBe(false);
    const batch = await expectSameAnswer(app, { target: "/trpc/auth.me,auth.me?batch=1", headers: { cookie } });
    expect(JSON.parse(batch.body)).toHaveLength(2);
    expect((await expectSameAnswer(app, { target: "/trpc/auth.me" })).body).toBe('{"result":{"data":null}}');
    const stale = await expectSameAnswer(app, { target: "/trpc/auth.me", headers: { cookie: `${cookie}x` } });
    expect(stale.headers["set-cookie"]).toMatch(/Max-Age=0/);
  });
});

describe("the lean adapter's own failures", () => {
  it("answers 500 and logs, instead of leaving a rejected promise that would end the process", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const handle = createTrpcNodeHandler({
      router: testRouter,
      endpoint: "/trpc/",
      createContext: async () => ({}),
      maxBatchSize: MAX_BATCH_SIZE,
      getErrorHeaders: () => {
        throw new Error("broken option");
      },
      onError: () => {},
      fallback: async () => {
        throw new Error("not expected");
      },
    });
    const server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc/t.teapot`);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { message: "Internal error" } });
      expect(String(error.mock.calls.at(-1)?.[0])).toBe("tRPC adapter failed:");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      error.mockRestore();
    }
  });
});
