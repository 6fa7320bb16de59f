// The HTTP edge against the real server: cookie attributes, fixation, revocation, the CSRF matrix,
// bad input, body limit, security headers and serving the built web app.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import { describe, expect, it, vi } from "vitest";
import { createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD, uniqueEmail } from "../../../tests/setup/server.ts";
import { createCookieClient, readJson, startTestServer, useTestServer } from "../../../tests/setup/http.ts";
import { createDatabase, type Database } from "./db.ts";
import { MAX_BODY_BYTES } from "./http-server.ts";
import type { AppRouter } from "./routers/_app.ts";

const ORIGIN = "http://localhost:5173";
const db = createTestDatabase();
const server = useTestServer({ db, config: createTestConfig({ APP_ORIGIN: ORIGIN }) });

async function signedInClient() {
  const user = await createTestUser(db);
  const client = createCookieClient(server.url, { origin: ORIGIN });
  const response = await client.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
  expect(response.status).toBe(200);
  return { user, client, token: client.jar.get("latchkey_session")! };
}

describe("session cookie over HTTP", () => {
  it("is set on sign-in with HttpOnly, SameSite=Lax, Path=/, Max-Age and no-store", async () => {
    const user = await createTestUser(db);
    const response = await createCookieClient(server.url, { origin: ORIGIN }).mutate("auth.signIn", {
      email: user.email,
      password: TEST_PASSWORD,
    });
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(/^latchkey_session=[a-z2-7]{24}\.[a-z2-7]{52}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    // Up to the absolute expiry (30 days by default), never beyond it.
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie!)![1]);
    expect(maxAge).toBeGreaterThan(30 * 86_400 - 5);
    expect(maxAge).toBeLessThanOrEqual(30 * 86_400);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("uses the __Host- name and Secure when the app is served over HTTPS", async () => {
    const httpsDb = createTestDatabase();
    const httpsServer = await startTestServer({ db: httpsDb, config: createTestConfig({ APP_ORIGIN: "https://app.example.com" }) });
    try {
      const user = await createTestUser(httpsDb);
      const client = createCookieClient(httpsServer.url, { origin: "https://app.example.com" });
      const response = await client.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
      expect(response.headers.getSetCookie()[0]).toMatch(/^__Host-latchkey_session=\S+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/);
      expect((await client.query("auth.me")).status).toBe(200);
    } finally {
      await httpsServer.close();
      await httpsDb.$disconnect();
    }
  });

  it("authenticates the next request and signs out (cookie cleared, session gone)", async () => {
    const { client, user, token } = await signedInClient();
    const me = await client.query("auth.me");
    expect(me.status).toBe(200);
    expect((await readJson(me)).result.data.user).toEqual(user);

    const signOut = await client.mutate("auth.signOut");
    expect(signOut.headers.getSetCookie()).toEqual([expect.stringMatching(/^latchkey_session=; Path=\/; Max-Age=0/)]);
    expect(await db.session.findUnique({ where: { id: token.split(".")[0] } })).toBeNull();
    expect((await client.query("auth.me", undefined, { headers: { cookie: `latchkey_session=${token}` } })).status).toBe(401);
  });

  it("gives a new session id on sign-in even when the browser already had one (fixation)", async () => {
    const { client, user, token } = await signedInClient();
    await client.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
    const next = client.jar.get("latchkey_session")!;
    expect(next.split(".")[0]).not.toBe(token.split(".")[0]);
    expect((await client.query("auth.me", undefined, { headers: { cookie: `latchkey_session=${token}` } })).status).toBe(401);
  });

  it("ignores a token planted before sign-in (fixation)", async () => {
    // The attacker signs in to their own account and plants that cookie in the victim's browser.
    const attacker = await signedInClient();
    const victim = await createTestUser(db);
    const browser = createCookieClient(server.url, { origin: ORIGIN });
    browser.jar.set("latchkey_session", attacker.token);
    await browser.mutate("auth.signIn", { email: victim.email, password: TEST_PASSWORD });

    const after = browser.jar.get("latchkey_session")!;
    expect(after.split(".")[0]).not.toBe(attacker.token.split(".")[0]);
    expect((await readJson(await browser.query("auth.me"))).result.data.user.id).toBe(victim.id);
    // The planted session ended with the sign-in: the token the attacker kept opens nothing.
    expect((await createCookieClient(server.url).query("auth.me", undefined, { headers: { cookie: `latchkey_session=${attacker.token}` } })).status).toBe(401);
  });

  it("never reads a session token from the URL", async () => {
    const { token } = await signedInClient();
    const inUrl = new URLSearchParams({ token, session: token, latchkey_session: token, input: JSON.stringify({ token }) });
    const response = await fetch(`${server.url}/trpc/auth.me?${inUrl}`);
    expect(await readJson(response)).toEqual({ result: { data: null } });
  });

  it("answers a signed-out auth.me with null and 200, alone or batched, while protected procedures keep 401", async () => {
    const anonymous = createCookieClient(server.url, { origin: ORIGIN });
    const me = await anonymous.query("auth.me");
    expect(me.status).toBe(200);
    expect(await readJson(me)).toEqual({ result: { data: null } });
    // A batch mixes the two answers (207), each with its own status.
    const batch = await fetch(`${server.url}/trpc/auth.me,note.list?batch=1&input=${encodeURIComponent("{}")}`);
    const [meResult, listResult] = await readJson(batch);
    expect(meResult).toEqual({ result: { data: null } });
    expect(listResult.error.data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401 });
    // A cookie that no longer opens a session is an ended session, not a signed-out visitor.
    const { client, token } = await signedInClient();
    await client.mutate("auth.signOut");
    expect((await anonymous.query("auth.me", undefined, { headers: { cookie: `latchkey_session=${token}` } })).status).toBe(401);
    expect((await fetch(`${server.url}/trpc/auth.me`, { headers: { authorization: "Bearer not.a-token" } })).status).toBe(401);
  });

  it("stops working on the very next request after being revoked from another device", async () => {
    const first = await signedInClient();
    const second = createCookieClient(server.url, { origin: ORIGIN });
    await second.mutate("auth.signIn", { email: first.user.email, password: TEST_PASSWORD });
    const secondId = second.jar.get("latchkey_session")!.split(".")[0];
    expect((await second.query("note.list")).status).toBe(200);

    expect((await first.client.mutate("session.revoke", { id: secondId })).status).toBe(200);
    const after = await second.query("note.list");
    expect(after.status).toBe(401);
    expect((await readJson(after)).error.data.code).toBe("UNAUTHORIZED");
  });
});

describe("CSRF", () => {
  it("passes same-origin JSON", async () => {
    const { client } = await signedInClient();
    expect((await client.mutate("note.create", { title: "ok" })).status).toBe(200);
  });

  it("rejects a foreign Origin with 403 and writes nothing", async () => {
    const { client, user } = await signedInClient();
    const response = await client.mutate("note.create", { title: "csrf" }, { headers: { origin: "https://evil.example" } });
    expect(response.status).toBe(403);
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(0);
  });

  it("rejects a cookie request without Origin with 403", async () => {
    const { token, user } = await signedInClient();
    const response = await fetch(`${server.url}/trpc/note.create`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `latchkey_session=${token}` },
      body: JSON.stringify({ title: "csrf" }),
    });
    expect(response.status).toBe(403);
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(0);
  });

  it("rejects cross-site form posts: urlencoded, multipart and text/plain", async () => {
    const { token, user } = await signedInClient();
    const bodies: [string | FormData, string | undefined][] = [
      ["title=csrf", "application/x-www-form-urlencoded"],
      [(() => { const form = new FormData(); form.set("title", "csrf"); return form; })(), undefined],
      ['{"title":"csrf"}', "text/plain"],
    ];
    // What a browser sends for a form on another site, and the same body claiming our own Origin.
    const sites: Record<string, string>[] = [{ origin: "https://evil.example", "sec-fetch-site": "cross-site" }, { origin: ORIGIN }];
    for (const site of sites) {
      for (const [body, contentType] of bodies) {
        const headers: Record<string, string> = { cookie: `latchkey_session=${token}`, ...site };
        if (contentType) headers["content-type"] = contentType;
        const response = await fetch(`${server.url}/trpc/note.create`, { method: "POST", headers, body });
        expect(response.status).toBe(415);
        expect((await readJson(response)).error.data).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415 });
      }
    }
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(0);
  });

  it("rejects Sec-Fetch-Site: cross-site with 403 even without an Origin", async () => {
    const { token, user } = await signedInClient();
    const response = await fetch(`${server.url}/trpc/note.create`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `latchkey_session=${token}`, "sec-fetch-site": "cross-site" },
      body: JSON.stringify({ title: "csrf" }),
    });
    expect(response.status).toBe(403);
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(0);
  });

  it("passes a cookie request without Origin that the browser marks Sec-Fetch-Site: same-origin", async () => {
    const { token, user } = await signedInClient();
    const response = await fetch(`${server.url}/trpc/note.create`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `latchkey_session=${token}`, "sec-fetch-site": "same-origin" },
      body: JSON.stringify({ title: "same origin" }),
    });
    expect(response.status).toBe(200);
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(1);
  });

  it("answers in tRPC's error format, one envelope per call of a batch, never cached", async () => {
    const { client } = await signedInClient();
    const single = await client.mutate("note.create", { title: "csrf" }, { headers: { origin: "https://evil.example" } });
    expect(single.headers.get("cache-control")).toBe("no-store");
    // The shape of every other tRPC error, errorFormatter fields included.
    expect(await readJson(single)).toMatchObject({
      error: {
        message: "Origin https://evil.example is not allowed.",
        code: -32003,
        data: { code: "FORBIDDEN", httpStatus: 403, path: "note.create", zodError: null },
      },
    });

    const batch = await client.fetch("/trpc/note.create,session.revokeOthers?batch=1", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: JSON.stringify({ 0: { title: "csrf" } }),
    });
    expect(batch.status).toBe(403);
    const envelopes = await readJson(batch);
    expect(envelopes.map((envelope: any) => [envelope.error.data.path, envelope.error.data.code])).toEqual([
      ["note.create", "FORBIDDEN"],
      ["session.revokeOthers", "FORBIDDEN"],
    ]);
  });

  it("is surfaced by @trpc/client with the server's message, batched or not", async () => {
    const { client, user } = await signedInClient();
    const cookie = [...client.jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const trpcFrom = (headers: Record<string, string>, contentType?: string) =>
      createTRPCClient<AppRouter>({
        links: [
          httpBatchLink({
            url: `${server.url}/trpc`,
            headers: { cookie, ...headers },
            fetch: (url, init) => {
              const request = new Headers(init?.headers);
              if (contentType) request.set("content-type", contentType);
              return fetch(url, { ...init, headers: request });
            },
          }),
        ],
      });

    const foreign = trpcFrom({ origin: "https://evil.example" });
    // Two calls in the same tick travel as one batched request.
    const results = await Promise.allSettled([foreign.note.create.mutate({ title: "csrf" }), foreign.session.revokeOthers.mutate()]);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(TRPCClientError);
      expect(error.message).toBe("Origin https://evil.example is not allowed.");
      expect(error.data).toMatchObject({ code: "FORBIDDEN", httpStatus: 403 });
    }

    const form = trpcFrom({ origin: ORIGIN }, "text/plain");
    const error = await form.note.create.mutate({ title: "csrf" }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).message).toBe("Requests that change state must be sent as application/json.");
    expect((error as TRPCClientError<AppRouter>).data).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415 });

    expect(await trpcFrom({ origin: ORIGIN }).note.create.mutate({ title: "allowed" })).toMatchObject({ title: "allowed" });
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(1);
  });

  it("refuses a mutation sent with GET, so a link or an image cannot trigger it", async () => {
    const { token, user } = await signedInClient();
    const cookie = `latchkey_session=${token}`;
    const create = await fetch(`${server.url}/trpc/note.create?input=${encodeURIComponent(JSON.stringify({ title: "csrf" }))}`, { headers: { cookie } });
    const signOut = await fetch(`${server.url}/trpc/auth.signOut`, { headers: { cookie } });
    expect([create.status, signOut.status]).toEqual([405, 405]);
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(0);
    expect(await db.session.count({ where: { id: token.split(".")[0] } })).toBe(1);
  });

  it("rejects a sign-in posted from another site (login CSRF)", async () => {
    const user = await createTestUser(db);
    const response = await createCookieClient(server.url, { origin: "https://evil.example" }).mutate("auth.signIn", {
      email: user.email,
      password: TEST_PASSWORD,
    });
    expect(response.status).toBe(403);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe("bad input", () => {
  it("answers invalid fields with 400, a message and field errors, and writes nothing", async () => {
    const email = uniqueEmail();
    const response = await createCookieClient(server.url, { origin: ORIGIN }).mutate("auth.signUp", {
      email,
      password: "short",
      name: "",
    });
    expect(response.status).toBe(400);
    const { error } = await readJson(response);
    expect(error.data.zodError.fieldErrors).toMatchObject({
      password: ["Use at least 8 characters."],
      name: ["Enter your name."],
    });
    expect(await db.user.count({ where: { email } })).toBe(0);
  });

  it("answers malformed JSON with 400, not 500", async () => {
    const response = await createCookieClient(server.url, { origin: ORIGIN }).mutate("auth.signIn", undefined, {
      body: '{"email": ',
    });
    expect(response.status).toBe(400);
  });

  it("answers an oversized body with 413", async () => {
    const response = await createCookieClient(server.url, { origin: ORIGIN }).mutate("auth.signIn", {
      email: "a@b.co",
      password: "x".repeat(200 * 1024),
    });
    expect(response.status).toBe(413);
  });

  it("reads a body of exactly the limit, and survives a client that leaves mid-body", async () => {
    const padded = JSON.stringify({ email: "a@b.co", password: "x" });
    const body = padded.slice(0, -1) + " ".repeat(MAX_BODY_BYTES - padded.length) + "}";
    expect(body.length).toBe(MAX_BODY_BYTES);
    const response = await createCookieClient(server.url, { origin: ORIGIN }).mutate("auth.signIn", undefined, { body });
    // Parsed, then refused by sign-in: not the body limit.
    expect(response.status).toBe(401);
    // Half a declared body, then the connection closes: the server stays up.
    await new Promise<void>((resolve) => {
      const outgoing = request(`${server.url}/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN, "content-length": "1000" },
      });
      outgoing.on("error", () => resolve());
      outgoing.write('{"email":', () => setTimeout(() => (outgoing.destroy(), resolve()), 50));
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("answers an oversized body sent without a Content-Length (chunked) with 413", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_BODY_BYTES) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const response = await fetch(`${server.url}/trpc/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect((await readJson(response)).error.data.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("answers NUL characters and lone surrogates in any input with 400, not 500, and writes nothing", async () => {
    const { client, user } = await signedInClient();
    for (const title of ["a\u0000b", "\uD800", "x\uDFFFy"]) {
      const response = await client.mutate("note.create", { title });
      expect(response.status).toBe(400);
      expect((await readJson(response)).error.message).toBe("Text must be valid Unicode without NUL characters.");
    }
    // Keys count too, and queries as well as mutations.
    expect((await client.mutate("note.create", { title: "ok", "\u0000": 1 })).status).toBe(400);
    expect((await client.query("note.byId", { id: "a\u0000" })).status).toBe(400);
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(0);
    // A whole surrogate pair is an ordinary character.
    expect((await client.mutate("note.create", { title: "🔥" })).status).toBe(200);
  });

  it("answers an internal error with a generic message and no details, and logs them", async () => {
    // A broken invariant, not an outage: every query throws an error that names source code.
    const brokenDb = createTestDatabase().$extends({
      query: {
        $allOperations() {
          throw new Error("invariant broken in apps/server/src/auth/session.ts");
        },
      },
    }) as unknown as Database;
    const broken = await startTestServer({ db: brokenDb, config: createTestConfig({ APP_ORIGIN: ORIGIN }) });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const response = await createCookieClient(broken.url, { origin: ORIGIN }).mutate("auth.signIn", { email: uniqueEmail(), password: TEST_PASSWORD });
      expect(response.status).toBe(500);
      const { error } = await readJson(response);
      expect(error.message).toBe("Internal server error.");
      expect(JSON.stringify(error)).not.toMatch(/prisma|invocation|\.ts|invariant/i);
      expect(logged).toHaveBeenCalledWith(expect.stringContaining("auth.signIn"), expect.anything());
    } finally {
      logged.mockRestore();
      await broken.close();
      await brokenDb.$disconnect();
    }
  });

  it("answers an unreachable database with 503 and Retry-After, and no details", async () => {
    const unreachableDb = createDatabase({ url: "postgresql://postgres@127.0.0.1:1/unreachable", poolMax: 1 });
    const unreachable = await startTestServer({ db: unreachableDb, config: createTestConfig({ APP_ORIGIN: ORIGIN }) });
    try {
      const response = await createCookieClient(unreachable.url, { origin: ORIGIN }).mutate("auth.signIn", { email: uniqueEmail(), password: TEST_PASSWORD });
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("2");
      const { error } = await readJson(response);
      expect(error.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryAfterSeconds: 2 });
      expect(JSON.stringify(error)).not.toMatch(/prisma|invocation|\.ts|ECONNREFUSED/i);
    } finally {
      await unreachable.close();
      await unreachableDb.$disconnect();
    }
  });

  it("answers an unknown procedure with 404", async () => {
    expect((await createCookieClient(server.url).query("nope.nothing")).status).toBe(404);
  });
});

describe("headers and the web app", () => {
  it("sends security headers on API responses", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(await response.text()).toBe("ok");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    const csp = response.headers.get("content-security-policy");
    for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) {
      expect(csp).toContain(directive);
    }
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(response.headers.get("cross-origin-resource-policy")).toBe("same-origin");
  });

  it("grants no cross-origin access: no Access-Control-Allow-* headers, even to a preflight", async () => {
    const preflight = await fetch(`${server.url}/trpc/note.create`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    const read = await fetch(`${server.url}/trpc/auth.me`, { headers: { origin: "https://evil.example" } });
    for (const response of [preflight, read]) {
      expect([...response.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
    }
  });

  it("answers JSON whatever a callback parameter asks for (no JSONP)", async () => {
    const response = await fetch(`${server.url}/trpc/auth.me?callback=steal&jsonp=steal`);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.text()).toMatch(/^\{"result":/);
  });

  it("sends no Strict-Transport-Security when the app is served over plain HTTP", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.headers.get("strict-transport-security")).toBeNull();
  });

  it("sends no-store on every API answer: success, refusal, bad input and unauthenticated", async () => {
    const client = createCookieClient(server.url, { origin: ORIGIN });
    const responses = [
      await client.query("note.list"),
      await client.mutate("auth.signIn", { email: "not an email", password: "" }),
      await client.mutate("auth.signIn", { email: uniqueEmail(), password: TEST_PASSWORD }),
      await client.mutate("auth.signOut", undefined, { headers: { origin: "https://evil.example" } }),
      await fetch(`${server.url}/trpc/auth.signOut`, { method: "POST", body: "x" }),
    ];
    expect(responses.map((response) => response.status)).toEqual([401, 400, 401, 403, 415]);
    for (const response of responses) expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("serves the built web app with a SPA fallback and nothing outside it", async () => {
    const dist = mkdtempSync(path.join(tmpdir(), "latchkey-dist-"));
    mkdirSync(path.join(dist, "assets"));
    writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>latchkey</title>");
    writeFileSync(path.join(dist, "assets", "app-1234.js"), "console.log(1)");
    const webDb = createTestDatabase();
    const web = await startTestServer({ db: webDb, config: createTestConfig({ WEB_DIST_DIR: dist }) });
    try {
      const page = await fetch(`${web.url}/sessions`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await page.text()).toContain("<title>latchkey</title>");
      // The document is what the CSP protects: scripts and styles from our own origin only.
      expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self';.*frame-ancestors 'none'/);
      expect(page.headers.get("x-content-type-options")).toBe("nosniff");
      expect(page.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      const asset = await fetch(`${web.url}/assets/app-1234.js`);
      expect(asset.headers.get("cache-control")).toContain("immutable");
      expect((await fetch(`${web.url}/assets/missing.js`)).status).toBe(404);
      const traversal = await fetch(`${web.url}/..%2f..%2f..%2fetc%2fpasswd`);
      expect(await traversal.text()).not.toContain("root:");
      expect((await fetch(`${web.url}/trpc/note.list`)).status).toBe(401);
    } finally {
      await web.close();
      await webDb.$disconnect();
    }
  });
});
