// The HTTP edge against the real server: cookie attributes, fixation, revocation, the CSRF matrix,
// bad input, body limit, security headers and serving the built web app.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD, uniqueEmail } from "../../../tests/setup/server.ts";
import { createCookieClient, readJson, startTestServer, type TestServer } from "../../../tests/setup/http.ts";

const ORIGIN = "http://localhost:5173";
const db = createTestDatabase();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ db, config: createTestConfig({ APP_ORIGIN: ORIGIN }) });
});
afterAll(async () => {
  await server.close();
  await db.$disconnect();
});

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
    const planted = "aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const user = await createTestUser(db);
    const client = createCookieClient(server.url, { origin: ORIGIN });
    client.jar.set("latchkey_session", planted);
    await client.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
    expect(client.jar.get("latchkey_session")).not.toBe(planted);
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
    for (const [body, contentType] of bodies) {
      const headers: Record<string, string> = { cookie: `latchkey_session=${token}`, origin: ORIGIN };
      if (contentType) headers["content-type"] = contentType;
      const response = await fetch(`${server.url}/trpc/note.create`, { method: "POST", headers, body });
      expect(response.status).toBe(415);
    }
    expect(await db.note.count({ where: { ownerId: user.id } })).toBe(0);
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

  it("answers an unknown procedure with 404", async () => {
    expect((await createCookieClient(server.url).query("nope.nothing")).status).toBe(404);
  });
});

describe("headers and the web app", () => {
  it("sends security headers on API responses", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(await response.text()).toBe("ok");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("content-security-policy")).not.toContain("unsafe-inline");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
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
      const asset = await fetch(`${web.url}/assets/app-1234.js`);
      expect(asset.headers.get("cache-control")).toContain("immutable");
      expect((await fetch(`${web.url}/assets/missing.js`)).status).toBe(404);
      const traversal = await fetch(`${web.url}/..%2f..%2f..%2fetc%2fpasswd`);
      expect(await traversal.text()).not.toContain("root:");
      expect((await fetch(`${web.url}/trpc/auth.me`)).status).toBe(401);
    } finally {
      await web.close();
      await webDb.$disconnect();
    }
  });
});
