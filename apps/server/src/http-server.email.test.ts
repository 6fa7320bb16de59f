// The account lifecycle by email against the real server and the real mail path (outbox, worker,
// SMTP over TCP): answers that reveal nothing about which addresses have accounts, links that only
// a POST consumes, attempts counted under parallel requests and tRPC batches, and no mail lost while
// the SMTP server is down.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createCookieClient, readJson, startTestServer, useTestServer, type TestServer } from "../../../tests/setup/http.ts";
import { readMailCode, readMailTo, readMailToken, setMailServerUp, waitForMail } from "../../../tests/setup/mail.ts";
import { createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD, uniqueEmail } from "../../../tests/setup/server.ts";
import { EMAIL_TOKEN_MAX_ATTEMPTS } from "./auth/email-token.ts";
import { DEFAULT_UNIFORM_RESPONSE_MS } from "./auth/response-time.ts";

const ORIGIN = "http://localhost:5173";
const VERIFY_SUBJECT = /^Your latchkey code is \d{6}$/;
const RESET_SUBJECT = /^Reset your latchkey password$/;
// A tiny built app, so the link pages are served the way production serves them.
const webDistDir = mkdtempSync(path.join(tmpdir(), "latchkey-web-"));
writeFileSync(path.join(webDistDir, "index.html"), "<!doctype html><title>latchkey</title>");
const db = createTestDatabase();
const server = useTestServer({ db, config: createTestConfig({ APP_ORIGIN: ORIGIN, WEB_DIST_DIR: webDistDir }) });
afterAll(() => rmSync(webDistDir, { recursive: true, force: true }));

const browser = () => createCookieClient(server.url, { origin: ORIGIN });
// The timing checks run against the floor production has by default (other tests shorten it).
const timedServer = useTestServer({ db: createTestDatabase(), config: createTestConfig({ APP_ORIGIN: ORIGIN, UNIFORM_RESPONSE_MS: String(DEFAULT_UNIFORM_RESPONSE_MS) }) });
const timedBrowser = () => createCookieClient(timedServer.url, { origin: ORIGIN });

interface Observed {
  status: number;
  body: string;
  setCookie: string[];
  cacheControl: string | null;
  ms: number;
}

async function observe(send: () => Promise<Response>): Promise<Observed> {
  const started = performance.now();
  const response = await send();
  const body = await response.text();
  return {
    status: response.status,
    body,
    setCookie: response.headers.getSetCookie(),
    cacheControl: response.headers.get("cache-control"),
    ms: performance.now() - started,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// Alternating, so that load on the machine falls on both kinds alike.
const SAMPLES = 6;
// The floor makes both kinds take DEFAULT_UNIFORM_RESPONSE_MS; what is left is scheduling noise.
const MAX_MEDIAN_GAP_MS = 60;

async function compareKnownAndUnknown(send: (email: string) => Promise<Response>, makeKnown: () => Promise<string>, makeUnknown: () => string) {
  const known: Observed[] = [];
  const unknown: Observed[] = [];
  for (let sample = 0; sample < SAMPLES; sample++) {
    known.push(await observe(async () => send(await makeKnown())));
    unknown.push(await observe(() => send(makeUnknown())));
  }
  const shape = ({ status, body, setCookie, cacheControl }: Observed) => ({ status, body, setCookie, cacheControl });
  // Identical in everything but time, and the same in time too.
  expect(new Set([...known, ...unknown].map((observed) => JSON.stringify(shape(observed)))).size).toBe(1);
  expect(shape(known[0]!)).toMatchObject({ status: 200, setCookie: [] });
  for (const observed of [...known, ...unknown]) expect(observed.ms).toBeGreaterThanOrEqual(DEFAULT_UNIFORM_RESPONSE_MS - 1);
  expect(Math.abs(median(known.map(({ ms }) => ms)) - median(unknown.map(({ ms }) => ms)))).toBeLessThan(MAX_MEDIAN_GAP_MS);
}

describe("answers that reveal nothing (ASVS 5.0 6.3.8)", () => {
  it("sign-up: a registered and a new address get the same status, body, cookies and time", { timeout: 60_000 }, async () => {
    const registered = await createTestUser(db);
    await compareKnownAndUnknown(
      (email) => timedBrowser().mutate("auth.signUp", { email, password: TEST_PASSWORD, name: "Probe" }),
      async () => registered.email,
      () => uniqueEmail("new"),
    );
  });

  it("password reset request: a registered and an unknown address alike", { timeout: 60_000 }, async () => {
    const registered = await createTestUser(db);
    await compareKnownAndUnknown(
      (email) => timedBrowser().mutate("passwordReset.request", { email }),
      async () => registered.email,
      () => uniqueEmail("nobody"),
    );
  });

  it("verification resend: an unverified and an unknown address alike", { timeout: 60_000 }, async () => {
    await compareKnownAndUnknown(
      (email) => timedBrowser().mutate("verification.resend", { email }),
      async () => (await createTestUser(db, { verified: false })).email,
      () => uniqueEmail("nobody"),
    );
  });
});

describe("the whole path over HTTP", () => {
  it("sign-up → mail over SMTP → the link signs in with a cookie → features open", async () => {
    const email = uniqueEmail("http");
    const client = browser();
    const signUp = await client.mutate("auth.signUp", { email, password: TEST_PASSWORD, name: "Ada" });
    expect(signUp.status).toBe(200);
    expect(client.jar.size).toBe(0);
    const mail = await waitForMail(email, VERIFY_SUBJECT);
    const confirmed = await client.mutate("verification.confirmLink", { token: readMailToken(mail, "/verify-email") });
    expect(confirmed.status).toBe(200);
    expect(confirmed.headers.get("cache-control")).toBe("no-store");
    expect(client.jar.size).toBe(1);
    expect((await client.query("note.list")).status).toBe(200);
  });

  it("an unverified user signs in but gets 403 with emailVerificationRequired on features", async () => {
    const user = await createTestUser(db, { verified: false });
    const client = browser();
    expect((await client.mutate("auth.signIn", { email: user.email, password: TEST_PASSWORD })).status).toBe(200);
    const refused = await client.query("note.list");
    expect(refused.status).toBe(403);
    expect((await readJson(refused)).error.data.emailVerificationRequired).toBe(true);
  });
});

describe("link hygiene", () => {
  it("the link pages are served with Referrer-Policy: no-referrer; other pages keep the default", async () => {
    for (const page of ["/verify-email", "/reset-password", "/confirm-email-change"]) {
      const response = await fetch(`${server.url}${page}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    }
    expect((await fetch(`${server.url}/sign-in`)).headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("a GET (a mail scanner following the link, or a GET of the procedure) burns nothing", async () => {
    const user = await createTestUser(db);
    await browser().mutate("passwordReset.request", { email: user.email });
    const link = (await waitForMail(user.email, RESET_SUBJECT)).text.match(/http:\/\/localhost:5173(\/reset-password#token=\S+)/)![1]!;
    const token = readMailToken({ text: link }, "/reset-password");
    // What a scanner fetches (the fragment never leaves the client), then the procedure by GET.
    expect((await fetch(`${server.url}${link}`)).status).toBe(200);
    const byGet = await browser().query("passwordReset.complete", { token, newPassword: "a scanner's password" });
    expect(byGet.status).toBe(405);
    const viaPost = await browser().mutate("passwordReset.complete", { token, newPassword: "the owner's new password" });
    expect(viaPost.status).toBe(200);
  });
});

describe("attempts counted first over HTTP", () => {
  it("parallel requests with wrong codes: exactly five checks, then the right code is refused", async () => {
    const email = uniqueEmail("parallel");
    await browser().mutate("auth.signUp", { email, password: TEST_PASSWORD, name: "Ada" });
    const code = readMailCode(await waitForMail(email, VERIFY_SUBJECT));
    const wrong = code === "000000" ? "111111" : "000000";
    const responses = await Promise.all(Array.from({ length: 10 }, () => browser().mutate("verification.confirmCode", { email, code: wrong })));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(400));
    const user = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
    expect((await db.emailToken.findFirstOrThrow({ where: { userId: user.id } })).attempts).toBe(EMAIL_TOKEN_MAX_ATTEMPTS);
    expect((await browser().mutate("verification.confirmCode", { email, code })).status).toBe(400);
  });

  it("a tRPC batch gets one code check, counted; the rest of the batch is refused unchecked", async () => {
    const email = uniqueEmail("batch");
    await browser().mutate("auth.signUp", { email, password: TEST_PASSWORD, name: "Ada" });
    const code = readMailCode(await waitForMail(email, VERIFY_SUBJECT));
    const wrong = code === "999999" ? "888888" : "999999";
    const batchOf = (codes: string[]) =>
      browser().fetch(`/trpc/${codes.map(() => "verification.confirmCode").join(",")}?batch=1`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(Object.fromEntries(codes.map((value, index) => [index, { email, code: value }]))),
      });
    const user = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true } });
    const attempts = async () => (await db.emailToken.findFirstOrThrow({ where: { userId: user.id } })).attempts;

    const guesses: Array<{ error?: { message: string } }> = await readJson(await batchOf(Array(4).fill(wrong)));
    expect(guesses.every((envelope) => envelope.error !== undefined)).toBe(true);
    expect(guesses.filter((envelope) => envelope.error?.message.startsWith("Only one password or code check per request"))).toHaveLength(3);
    expect(await attempts()).toBe(1);

    // Two right codes in one batch: one is checked and signs in, the other is not even looked at.
    const rights: Array<{ result?: unknown }> = await readJson(await batchOf([code, code]));
    expect(rights.filter((envelope) => envelope.result !== undefined)).toHaveLength(1);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).emailVerifiedAt).not.toBeNull();
    expect(await db.session.count({ where: { userId: user.id } })).toBe(1);
  });
});

describe("rate limits over HTTP", () => {
  it("answers 429 with Retry-After once an address has been mailed too often", async () => {
    const limited = await startExtraServer({ RATE_LIMIT_MAIL_PER_ADDRESS: "2" });
    const email = uniqueEmail("limited");
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      last = await createCookieClient(limited.url, { origin: ORIGIN }).mutate("passwordReset.request", { email });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(3000);
  });
});

describe("mail while the SMTP server is down", () => {
  it("stays in the outbox, is retried with back-off, and arrives once the server is back", { timeout: 60_000 }, async () => {
    const user = await createTestUser(db);
    await setMailServerUp(false);
    try {
      expect((await browser().mutate("passwordReset.request", { email: user.email })).status).toBe(200);
      await expect
        .poll(async () => (await db.outboxMessage.findFirst({ where: { to: user.email }, select: { attempts: true } }))?.attempts ?? 0, {
          timeout: 15_000,
          interval: 100,
        })
        .toBeGreaterThanOrEqual(2);
      const pending = await db.outboxMessage.findFirstOrThrow({ where: { to: user.email } });
      expect(pending.lastError).toMatch(/ECONNREFUSED/);
      expect(pending.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() - 1_000);
      expect(await readMailTo(user.email)).toEqual([]);
    } finally {
      await setMailServerUp(true);
    }
    const mail = await waitForMail(user.email, RESET_SUBJECT);
    expect(await readMailTo(user.email)).toHaveLength(1);
    expect(await db.outboxMessage.count({ where: { to: user.email } })).toBe(0);
    const reset = await browser().mutate("passwordReset.complete", { token: readMailToken(mail, "/reset-password"), newPassword: "after the outage" });
    expect(reset.status).toBe(200);
  });
});

// Servers with other limits, closed when the file ends.
const extraServers: TestServer[] = [];
afterAll(async () => {
  for (const extra of extraServers) await extra.close();
});
async function startExtraServer(overrides: Record<string, string>): Promise<TestServer> {
  const started = await startTestServer({ db, config: createTestConfig({ APP_ORIGIN: ORIGIN, ...overrides }) });
  extraServers.push(started);
  return started;
}
