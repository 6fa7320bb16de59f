// The `latchkey` command line (docs/tokens.md): `sign-in` keeps a bearer session token in the
// credentials file; every other command calls the API with short-lived access tokens.
import { parseArgs } from "node:util";
import { createApiClient, createSessionClient, type Fetch } from "./api-client.ts";
import { deleteCredentials, getCredentialsPath, readCredentials, writeCredentials, type Credentials } from "./credentials-file.ts";
import { EXIT_OK, NotSignedInError, reportFailure, UsageError } from "./failure.ts";
import { prompt } from "./prompt.ts";

export interface CliIo {
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Tests observe requests through it; the global fetch otherwise. */
  fetch?: Fetch;
}

const DEFAULT_SERVER_URL = "http://localhost:5173";

const USAGE = `Usage: latchkey <command>

  sign-in [--server <url>] [--email <email>] [--password <password>] [--code <code>]
                          Sign in. Missing values are asked for in a terminal, or read from
                          LATCHKEY_SERVER, LATCHKEY_EMAIL, LATCHKEY_PASSWORD and LATCHKEY_CODE
                          (a code from the authenticator app, or a recovery code, when the
                          account has two-step verification).
  me                      Who is signed in
  notes list              Your notes
  notes add <title> [body]
                          Add a note
  sessions                Where you are signed in
  sign-out                End this session on the server and forget it here

Credentials are kept in $LATCHKEY_CONFIG_DIR, $XDG_CONFIG_HOME/latchkey or ~/.config/latchkey.
`;

interface Run {
  io: CliIo;
  file: string;
  fetch: Fetch;
  /** For error messages: the server the failing call went to. */
  serverUrl: string | null;
}

export async function runCli(args: string[], io: CliIo): Promise<number> {
  const run: Run = { io, file: getCredentialsPath(io.env), fetch: io.fetch ?? fetch, serverUrl: null };
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        server: { type: "string" },
        email: { type: "string" },
        password: { type: "string" },
        code: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    const [command = "", ...rest] = positionals;
    if (values.help || command === "help") {
      io.stdout.write(USAGE);
      return EXIT_OK;
    }
    if (command !== "sign-in" && [values.server, values.email, values.password, values.code].some((value) => value !== undefined)) {
      throw new UsageError("--server, --email, --password and --code go with sign-in.");
    }
    switch (command) {
      case "sign-in":
        expectArguments(rest, 0);
        await signIn(run, values);
        break;
      case "sign-out":
        expectArguments(rest, 0);
        await signOut(run);
        break;
      case "me":
      case "notes":
      case "sessions":
        await callApi(run, command, rest);
        break;
      default:
        throw new UsageError(command ? `Unknown command: ${command}` : "Which command?");
    }
    return EXIT_OK;
  } catch (error) {
    const message = reportFailure(error, { serverUrl: run.serverUrl, usage: USAGE });
    io.stderr.write(`${message.text}\n`);
    return message.exitCode;
  }
}

async function callApi(run: Run, command: "me" | "notes" | "sessions", rest: string[]): Promise<void> {
  const print = (text: string) => run.io.stdout.write(`${text}\n`);
  const api = createApiClient(await requireCredentials(run), { file: run.file, fetch: run.fetch, now: () => new Date() });
  const [subcommand, title, body] = rest;
  if (command === "me") {
    expectArguments(rest, 0);
    const me = await api.auth.me.query();
    // The client always sends its token, so null (no credential) cannot come back; a dead token is a 401.
    if (!me) throw new NotSignedInError();
    print(`${me.user.name} <${me.user.email}> (user ${me.user.id}, session ${me.session.id})`);
  } else if (command === "sessions") {
    expectArguments(rest, 0);
    for (const session of await api.session.list.query()) {
      const device = `${session.userAgent ?? "unknown device"}, ${session.ip ?? "unknown IP"}`;
      print(`${session.current ? "*" : " "} ${session.kind.padEnd(7)}${device}, last active ${session.lastActiveAt}`);
    }
    print("(* this session)");
  } else if (subcommand === "list") {
    expectArguments(rest, 1);
    const notes = await api.note.list.query();
    if (notes.length === 0) print("No notes yet. Add one with: latchkey notes add <title> [body]");
    for (const note of notes) print(note.body ? `- ${note.title}: ${note.body}` : `- ${note.title}`);
  } else if (subcommand === "add" && title) {
    expectArguments(rest, 3);
    const note = await api.note.create.mutate({ title, body: body ?? "" });
    print(`Added "${note.title}".`);
  } else {
    throw new UsageError("Use: latchkey notes list, or latchkey notes add <title> [body]");
  }
}

function expectArguments(rest: string[], max: number): void {
  if (rest.length > max) throw new UsageError(`Unexpected argument: ${rest[max]}`);
}

async function requireCredentials(run: Run): Promise<Credentials> {
  const credentials = await readCredentials(run.file);
  if (!credentials) throw new NotSignedInError();
  run.serverUrl = credentials.serverUrl;
  return credentials;
}

// A TOTP code is six digits; anything else is taken for a recovery code.
const TOTP_CODE = /^\d{6}$/;

async function signIn(run: Run, values: { server?: string; email?: string; password?: string; code?: string }): Promise<void> {
  const { io } = run;
  const previous = await readCredentials(run.file);
  const serverUrl = values.server ?? io.env.LATCHKEY_SERVER ?? previous?.serverUrl ?? DEFAULT_SERVER_URL;
  if (!/^https?:\/\//.test(serverUrl) || !URL.canParse(serverUrl)) throw new UsageError(`Not an http(s) URL: ${serverUrl}`);
  run.serverUrl = serverUrl;
  const { protocol, hostname } = new URL(serverUrl);
  if (protocol === "http:" && !["localhost", "127.0.0.1", "[::1]"].includes(hostname)) {
    io.stderr.write(`Warning: ${serverUrl} is not HTTPS; the password and tokens travel unencrypted.\n`);
  }

  // Prompts only in a terminal: a script gets an error rather than a hang.
  const interactive = io.stdin.isTTY === true;
  const email = values.email ?? io.env.LATCHKEY_EMAIL ?? (interactive ? await prompt(io, "Email: ") : undefined);
  const password = values.password ?? io.env.LATCHKEY_PASSWORD ?? (interactive ? await prompt(io, "Password: ", { hidden: true }) : undefined);
  if (!email || !password) {
    throw new UsageError("Give --email and --password (or LATCHKEY_EMAIL and LATCHKEY_PASSWORD) when not in a terminal.");
  }

  const signedIn = await createSessionClient(serverUrl, null, run.fetch).auth.signIn.mutate({ email, password, transport: "token" });
  const { user } = signedIn;
  let token = signedIn.token;
  if (!token) throw new Error("The server answered without a session token.");
  if (signedIn.secondFactor) {
    // The token is a pending session until the second step; mfa.verify answers with the full one.
    const code = (values.code ?? io.env.LATCHKEY_CODE ?? (interactive ? await prompt(io, "Code from your authenticator app, or a recovery code: ") : undefined))?.trim();
    if (!code) {
      await createSessionClient(serverUrl, token, run.fetch).auth.signOut.mutate().catch(() => {});
      throw new UsageError("This account has two-step verification: give --code (or LATCHKEY_CODE) when not in a terminal.");
    }
    const method = TOTP_CODE.test(code) ? "totp" : "recovery_code";
    const pending = createSessionClient(serverUrl, token, run.fetch);
    token = await pending.mfa.verify.mutate({ method, code }).then(
      (verified) => verified.token,
      async (error: unknown) => {
        // Nothing else can use the pending session: end it rather than leave it for 10 minutes.
        await pending.auth.signOut.mutate().catch(() => {});
        throw error;
      },
    );
    if (!token) throw new Error("The server answered without a session token.");
  }
  await writeCredentials(run.file, { serverUrl, sessionToken: token, accessToken: null });
  // Signing in again replaces the stored session: end the old one too (best effort).
  if (previous) await createSessionClient(previous.serverUrl, previous.sessionToken, run.fetch).auth.signOut.mutate().catch(() => {});
  io.stdout.write(`Signed in to ${serverUrl} as ${user.name} <${user.email}>.\n`);
}

async function signOut(run: Run): Promise<void> {
  const credentials = await readCredentials(run.file);
  if (!credentials) {
    run.io.stdout.write("Not signed in.\n");
    return;
  }
  run.serverUrl = credentials.serverUrl;
  // The server first: if it cannot be reached, the file stays so that sign-out can be retried.
  await createSessionClient(credentials.serverUrl, credentials.sessionToken, run.fetch).auth.signOut.mutate();
  await deleteCredentials(run.file);
  run.io.stdout.write("Signed out.\n");
}
