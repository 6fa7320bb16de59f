// PASSWORD_BREACH_CHECK=hibp against a local HTTP server that speaks Pwned Passwords' range API (the
// real one is not reachable from tests): a listed password is refused at sign-up with a field error,
// only the SHA-1 prefix is sent, and a slow or failing service lets the password through.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestCaller, createTestConfig, createTestDatabase, uniqueEmail } from "../../../../tests/setup/server.ts";

const BREACHED = "a passphrase someone leaked";
const PADDED = "a passphrase listed as padding";
const sha1 = (text: string) => createHash("sha1").update(text).digest("hex").toUpperCase();

// A busy machine (CI, parallel test files) can take a second to answer on loopback, so only the
// slow-service case runs with a short time-out, against a server far slower than it.
const TIMEOUT_MS = 10_000;
const SHORT_TIMEOUT_MS = 200;
const SLOW_ANSWER_MS = 3_000;

const db = createTestDatabase();
const requestedPaths: string[] = [];
let behaviour: "answer" | "slow" | "fail" = "answer";
let range: Server;
let rangeUrl: string;

beforeAll(async () => {
  range = createServer((req, res) => {
    requestedPaths.push(req.url ?? "");
    if (behaviour === "fail") return void res.writeHead(503).end();
    const answer = () => {
      const prefix = (req.url ?? "").split("/").at(-1)!;
      const lines = [
        ...[BREACHED, PADDED].filter((password) => sha1(password).startsWith(prefix)).map((password) => `${sha1(password).slice(5)}:${password === BREACHED ? 42 : 0}`),
        "0018A45C4D1DEF81644B54AB7F969B88D65:1",
      ];
      res.writeHead(200, { "Content-Type": "text/plain" }).end(lines.join("\r\n"));
    };
    if (behaviour === "slow") setTimeout(answer, SLOW_ANSWER_MS);
    else answer();
  });
  await new Promise<void>((resolve) => range.listen(0, "127.0.0.1", resolve));
  rangeUrl = `http://127.0.0.1:${(range.address() as AddressInfo).port}/range/`;
});

afterAll(async () => {
  range.closeAllConnections();
  await new Promise((resolve) => range.close(resolve));
  await db.$disconnect();
});

afterEach(() => {
  behaviour = "answer";
  requestedPaths.length = 0;
  vi.restoreAllMocks();
});

async function signUp(password: string, timeoutMs = TIMEOUT_MS) {
  const config = createTestConfig({ PASSWORD_BREACH_CHECK: "hibp", PASSWORD_BREACH_CHECK_URL: rangeUrl, PASSWORD_BREACH_CHECK_TIMEOUT_MS: String(timeoutMs) });
  const { caller } = await createTestCaller({ db, config });
  const email = uniqueEmail();
  const outcome = await caller.auth.signUp({ email, password, name: "Ada" }).then(
    () => "signed up",
    (error) => error,
  );
  return { outcome, accounts: await db.user.count({ where: { email } }) };
}

describe("PASSWORD_BREACH_CHECK=hibp (range API on a local server)", () => {
  it("refuses a listed password with a field error, sending only the first 5 digits of its SHA-1", async () => {
    const { outcome, accounts } = await signUp(BREACHED);
    expect(outcome).toMatchObject({ code: "BAD_REQUEST" });
    expect(outcome.cause.issues).toMatchObject([{ path: ["password"], message: "This password has appeared in a data breach. Choose another." }]);
    expect(accounts).toBe(0);
    expect(requestedPaths).toEqual([`/range/${sha1(BREACHED).slice(0, 5)}`]);
  });

  it("accepts a password that is not listed, or listed with a count of 0 (padding)", async () => {
    expect((await signUp("a passphrase nobody has ever leaked")).outcome).toBe("signed up");
    expect((await signUp(PADDED)).outcome).toBe("signed up");
  });

  it("lets the password through when the service is slow or failing, logging one line each time", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    behaviour = "slow";
    expect((await signUp(BREACHED, SHORT_TIMEOUT_MS)).outcome).toBe("signed up");
    behaviour = "fail";
    expect((await signUp(BREACHED)).outcome).toBe("signed up");
    expect(warn.mock.calls.map(([line]) => String(line))).toEqual([
      expect.stringMatching(/^password breach check skipped: .*(timeout|aborted)/i),
      "password breach check skipped: HTTP 503",
    ]);
  });

  it("is off by default: nothing is sent", async () => {
    const { caller } = await createTestCaller({ db, config: createTestConfig() });
    await caller.auth.signUp({ email: uniqueEmail(), password: BREACHED, name: "Ada" });
    expect(requestedPaths).toEqual([]);
  });
});
