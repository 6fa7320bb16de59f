// HTTPS mode over real TLS: a self-signed certificate made here (as `pnpm cert` makes one), the
// server on an ephemeral port and a client that trusts only that certificate. The `__Host-` cookie,
// `Secure` and HSTS are exercised on the wire, and index.ts is started with TLS_CERT_FILE.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDevCertificate, type DevCertificate } from "../../../scripts/lib/dev-certificate.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";
import { createCookieClient, createTlsFetch, getFreePort, readJson, startTestServer, type TestServer } from "../../../tests/setup/http.ts";
import { createTestConfig, createTestDatabase, createTestUser, TEST_ENCRYPTION_KEY, TEST_JWT_PRIVATE_KEY, TEST_PASSWORD } from "../../../tests/setup/server.ts";
import { testDatabaseUrl } from "../../../tests/setup/database-url.ts";

const HSTS = "max-age=31536000; includeSubDomains";
const SECURE_COOKIE = /^__Host-latchkey_session=[a-z2-7]{24}\.[a-z2-7]{52}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/;
const db = createTestDatabase();
let certificate: DevCertificate;
let tlsFetch: ReturnType<typeof createTlsFetch>;
let server: TestServer;
let origin: string;

beforeAll(async () => {
  certificate = await createDevCertificate();
  tlsFetch = createTlsFetch(certificate.cert);
  const port = await getFreePort();
  origin = `https://127.0.0.1:${port}`;
  const dist = mkdtempSync(path.join(tmpdir(), "latchkey-dist-"));
  writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>latchkey</title>");
  server = await startTestServer({ db, config: createTestConfig({ APP_ORIGIN: origin, WEB_DIST_DIR: dist }) }, { tls: certificate, port });
});
afterAll(async () => {
  await server.close();
  await db.$disconnect();
});

function browser() {
  return createCookieClient(server.url, { origin, fetch: tlsFetch });
}

describe("HTTPS mode over real TLS", () => {
  it("serves only TLS, with a certificate a client must be told to trust", async () => {
    expect(server.url).toBe(origin);
    expect((await tlsFetch(`${server.url}/healthz`)).status).toBe(200);
    // Node's own fetch does not trust a self-signed certificate: the connection really is TLS.
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    await expect(fetch(`${server.url.replace("https:", "http:")}/healthz`)).rejects.toThrow();
  });

  it("sets the __Host- session cookie with Secure on sign-in and authenticates with it", async () => {
    const user = await createTestUser(db);
    const client = browser();
    const response = await client.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(SECURE_COOKIE)]);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect([...client.jar.keys()]).toEqual(["__Host-latchkey_session"]);

    const me = await client.query("auth.me");
    expect(me.status).toBe(200);
    expect((await readJson(me)).result.data.user).toEqual(user);

    const signOut = await client.mutate("auth.signOut");
    expect(signOut.headers.getSetCookie()).toEqual([
      "__Host-latchkey_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
    ]);
  });

  it("ignores a session cookie without the __Host- prefix, as a sibling domain could plant one", async () => {
    const user = await createTestUser(db);
    const client = browser();
    await client.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD });
    const token = client.jar.get("__Host-latchkey_session")!;
    const planted = await client.query("auth.me", undefined, { headers: { cookie: `latchkey_session=${token}` } });
    // Not even read as a credential: the request is a signed-out one.
    expect(planted.status).toBe(200);
    expect(await readJson(planted)).toEqual({ result: { data: null } });
  });

  it("sends Strict-Transport-Security on API answers, refusals and the web app", async () => {
    const responses = [
      await tlsFetch(`${server.url}/healthz`),
      await tlsFetch(`${server.url}/`),
      await browser().query("note.list"),
      await browser().mutate("note.create", { title: "csrf" }, { headers: { origin: "https://evil.example" } }),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 200, 401, 403]);
    for (const response of responses) expect(response.headers.get("strict-transport-security")).toBe(HSTS);
  });
});

describe("index.ts with TLS_CERT_FILE and TLS_KEY_FILE", () => {
  it("serves HTTPS with the certificate from the files", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "latchkey-tls-"));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "cert.pem"), certificate.cert);
    writeFileSync(path.join(dir, "key.pem"), certificate.key, { mode: 0o600 });
    const port = await getFreePort();
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO_ROOT, "apps/server/src/index.ts")], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        DATABASE_URL: testDatabaseUrl(),
        DATABASE_POOL_MAX: "1",
        PORT: String(port),
        APP_ORIGIN: `https://localhost:${port}`,
        JWT_PRIVATE_KEY: TEST_JWT_PRIVATE_KEY,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        SESSION_CLEANUP_INTERVAL_MINUTES: "0",
        TLS_CERT_FILE: path.join(dir, "cert.pem"),
        TLS_KEY_FILE: path.join(dir, "key.pem"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("listening on https://")) resolve();
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
        child.once("exit", () => reject(new Error(`the server exited: ${output}`)));
      });
      const response = await tlsFetch(`https://127.0.0.1:${port}/healthz`);
      expect(await response.text()).toBe("ok");
      expect(response.headers.get("strict-transport-security")).toBe(HSTS);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
  });
});
