// The CLI end to end against the real server: sign-in, the 0600 credentials file, notes, access
// tokens cached and refreshed (server on a fake clock), sessions, sign-out and the error messages.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../../../tests/setup/http.ts";
import { createTestClock, createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD } from "../../../tests/setup/server.ts";
import { computeTotpCode } from "../../../tests/setup/totp.ts";
import { startTotpEnrolment, verifyTotpCode } from "../../server/src/auth/totp.ts";
import { runCli } from "./cli.ts";
import { EXIT_FAILURE, EXIT_OK, EXIT_SIGNED_OUT, EXIT_USAGE } from "./failure.ts";
import type { Credentials } from "./credentials-file.ts";

const MINUTE = 60_000;
const BIN = path.join(import.meta.dirname, "..", "bin", "latchkey.js");
const db = createTestDatabase();
const clock = createTestClock();
let server: TestServer;
let user: Awaited<ReturnType<typeof createTestUser>>;
let configDir: string;
let credentialsFile: string;
/** Every HTTP call the CLI made in the current test: `procedure status`. */
let calls: string[] = [];

const config = createTestConfig();

beforeAll(async () => {
  server = await startTestServer({ db, config, clock: clock.now });
  user = await createTestUser(db);
  configDir = path.join(mkdtempSync(path.join(tmpdir(), "latchkey-cli-")), "config");
  credentialsFile = path.join(configDir, "credentials.json");
});
afterAll(async () => {
  await server.close();
  await db.$disconnect();
});
beforeEach(() => {
  calls = [];
});

function collect() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return { stream, text: () => chunks.join("") };
}

/** Runs one command in-process, as a script would (stdin is not a terminal). */
async function cli(args: string[], env: Record<string, string> = {}) {
  const stdout = collect();
  const stderr = collect();
  const code = await runCli(args, {
    env: { LATCHKEY_CONFIG_DIR: configDir, ...env },
    stdin: Readable.from([]),
    stdout: stdout.stream,
    stderr: stderr.stream,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      calls.push(`${new URL(String(input)).pathname.replace("/trpc/", "")} ${response.status}`);
      return response;
    },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

const signIn = () => cli(["sign-in", "--server", server.url, "--email", user.email], { LATCHKEY_PASSWORD: TEST_PASSWORD });
const readCredentialsFile = () => JSON.parse(readFileSync(credentialsFile, "utf8")) as Credentials;

describe("latchkey CLI", () => {
  it("says so when not signed in", async () => {
    expect(await cli(["notes", "list"])).toEqual({ code: EXIT_SIGNED_OUT, stdout: "", stderr: "Not signed in. Run: latchkey sign-in\n" });
  });

  it("refuses a wrong password with the server's message and stores nothing", async () => {
    const result = await cli(["sign-in", "--server", server.url, "--email", user.email, "--password", "wrong password"]);
    expect(result).toMatchObject({ code: EXIT_SIGNED_OUT, stderr: "Invalid email or password.\n" });
    expect(existsSync(credentialsFile)).toBe(false);
  });

  it("asks for flags instead of prompting when stdin is not a terminal", async () => {
    const result = await cli(["sign-in", "--server", server.url, "--email", user.email]);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain("Give --email and --password (or LATCHKEY_EMAIL and LATCHKEY_PASSWORD)");
  });

  it("signs in with a bearer session kept in a file only the user can read", async () => {
    const result = await signIn();
    expect(result).toEqual({ code: EXIT_OK, stdout: `Signed in to ${server.url} as ${user.name} <${user.email}>.\n`, stderr: "" });
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
    const stored = readCredentialsFile();
    expect(stored).toEqual({ serverUrl: server.url, sessionToken: expect.stringMatching(/^[a-z2-7]{24}\.[a-z2-7]{52}$/), accessToken: null });
    const session = await db.session.findUniqueOrThrow({ where: { id: stored.sessionToken.split(".")[0] } });
    expect(session).toMatchObject({ userId: user.id, kind: "bearer", userAgent: expect.stringMatching(/^latchkey-cli /) });
  });

  it("adds and lists notes with one access token, reused by the next command", async () => {
    expect(await cli(["notes", "add", "Groceries", "milk, eggs"])).toMatchObject({ code: EXIT_OK, stdout: 'Added "Groceries".\n' });
    expect(await cli(["notes", "list"])).toMatchObject({ code: EXIT_OK, stdout: "- Groceries: milk, eggs\n" });
    expect(calls).toEqual(["auth.issueAccessToken 200", "note.create 200", "note.list 200"]);
    expect(readCredentialsFile().accessToken?.token.split(".")).toHaveLength(3);
  });

  it("refreshes the access token when the server says it expired, and retries the call once", async () => {
    const before = readCredentialsFile().accessToken!.token;
    clock.advance(10 * MINUTE);
    expect(await cli(["notes", "list"])).toMatchObject({ code: EXIT_OK, stdout: "- Groceries: milk, eggs\n" });
    expect(calls).toEqual(["note.list 401", "auth.issueAccessToken 200", "note.list 200"]);
    expect(readCredentialsFile().accessToken!.token).not.toBe(before);
  });

  it("refreshes ahead of expiry without a failed call", async () => {
    const stored = readCredentialsFile();
    writeFileSync(credentialsFile, JSON.stringify({ ...stored, accessToken: { ...stored.accessToken, expiresAt: new Date(0).toISOString() } }));
    expect(await cli(["me"])).toMatchObject({ code: EXIT_OK, stdout: expect.stringContaining(`${user.name} <${user.email}>`) });
    expect(calls).toEqual(["auth.issueAccessToken 200", "auth.me 200"]);
  });

  it("lists the sessions with this one marked", async () => {
    const { code, stdout } = await cli(["sessions"]);
    expect(code).toBe(EXIT_OK);
    expect(stdout).toMatch(/^\* bearer latchkey-cli \(Node /m);
  });

  it("runs as a real process through its bin", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, "me"], { env: { ...process.env, LATCHKEY_CONFIG_DIR: configDir } });
    expect(stdout).toContain(`${user.name} <${user.email}>`);
  });

  it("signs out: ends the session on the server, deletes the file, and later calls say so", async () => {
    const { sessionToken } = readCredentialsFile();
    expect(await cli(["sign-out"])).toEqual({ code: EXIT_OK, stdout: "Signed out.\n", stderr: "" });
    expect(calls).toEqual(["auth.signOut 200"]);
    expect(existsSync(credentialsFile)).toBe(false);
    expect(await db.session.findUnique({ where: { id: sessionToken.split(".")[0] } })).toBeNull();
    expect(await cli(["notes", "list"])).toMatchObject({ code: EXIT_SIGNED_OUT, stderr: "Not signed in. Run: latchkey sign-in\n" });
  });

  it("says the session has ended when it was revoked elsewhere", async () => {
    await signIn();
    await cli(["me"]);
    await db.session.deleteMany({ where: { id: readCredentialsFile().sessionToken.split(".")[0] } });
    clock.advance(10 * MINUTE);
    calls = [];
    const result = await cli(["notes", "list"]);
    expect(result.code).toBe(EXIT_SIGNED_OUT);
    expect(result.stderr).toMatch(/^Your session has ended .* Run: latchkey sign-in\n$/);
    expect(calls).toEqual(["note.list 401", "auth.issueAccessToken 401"]);
  });

  it("says when the server cannot be reached", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const result = await cli(["sign-in", "--server", `http://127.0.0.1:${port}`, "--email", user.email], { LATCHKEY_PASSWORD: TEST_PASSWORD });
    expect(result.code).toBe(EXIT_FAILURE);
    expect(result.stderr).toBe(`Cannot reach the latchkey server at http://127.0.0.1:${port} (ECONNREFUSED). Is it running, and is the URL right?\n`);
  });

  it("explains usage mistakes", async () => {
    expect(await cli(["notes", "add"])).toMatchObject({ code: EXIT_USAGE, stderr: expect.stringContaining("latchkey notes add <title> [body]") });
    expect(await cli(["frobnicate"])).toMatchObject({ code: EXIT_USAGE, stderr: expect.stringContaining("Unknown command: frobnicate") });
    expect(await cli(["me", "--colour"])).toMatchObject({ code: EXIT_USAGE, stderr: expect.stringContaining("--colour") });
    expect(await cli(["notes", "list", "--email", user.email])).toMatchObject({ code: EXIT_USAGE, stderr: expect.stringContaining("go with sign-in") });
  });

  it("completes a two-step sign-in with --code, and says what is missing without one", async () => {
    const totpUser = await createTestUser(db);
    const enrolment = (await startTotpEnrolment(db, config.encryptionKeys, totpUser, "latchkey", clock.now()))!;
    await verifyTotpCode(db, config.encryptionKeys, { userId: totpUser.id, code: computeTotpCode(enrolment.key, clock.now()), confirm: true }, clock.now());
    const args = ["sign-in", "--server", server.url, "--email", totpUser.email];
    const env = { LATCHKEY_PASSWORD: TEST_PASSWORD };

    expect(await cli(args, env)).toMatchObject({ code: EXIT_USAGE, stderr: expect.stringContaining("two-step verification: give --code") });
    expect(await cli([...args, "--code", "000000"], env)).toMatchObject({ code: EXIT_FAILURE, stderr: expect.stringContaining("The code is incorrect") });
    // A refused code leaves no pending session behind.
    expect(await db.session.count({ where: { userId: totpUser.id } })).toBe(0);
    calls = [];
    const signedIn = await cli([...args, "--code", computeTotpCode(enrolment.key, clock.now(), 1)], env);
    expect(signedIn).toMatchObject({ code: EXIT_OK, stdout: `Signed in to ${server.url} as Test User <${totpUser.email}>.\n` });
    expect(calls).toEqual(["auth.signIn 200", "mfa.verify 200", "auth.signOut 200"]);
    const { sessionToken } = readCredentialsFile();
    const row = await db.session.findUniqueOrThrow({ where: { id: sessionToken.split(".")[0] } });
    expect(row).toMatchObject({ kind: "bearer", secondFactorPending: false, factors: ["password", "totp"] });
    expect(await cli(["me"])).toMatchObject({ code: EXIT_OK });
  });
});
