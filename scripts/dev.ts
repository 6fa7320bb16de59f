// `pnpm dev`: the whole app from one command. Creates .env if missing, chooses the ports
// (scripts/lib/dev-ports.ts), starts the Vite dev server and the embedded database (unless
// DATABASE_URL is set), applies pending migrations, seeds a database without users, starts a local
// SMTP catcher with an inbox page (unless SMTP_URL is set) and a local OpenID Connect provider
// (unless OIDC_ISSUER is set), then runs the API (tsx watch) until Ctrl-C, and stops the servers
// before the provider, the mail catcher and the database.
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startChildProcess, type ChildExit, type ChildProcess } from "./lib/child-process.ts";
import { DEMO_PASSWORD, DEMO_USERS, describeDemoUser } from "./lib/demo-users.ts";
import { loadDotEnv } from "./lib/dotenv.ts";
import { readDatabaseState } from "./lib/database-state.ts";
import { chooseDevPort, DEFAULT_API_PORT, DEFAULT_WEB_PORT, describeMovedPort, type ChosenPort } from "./lib/dev-ports.ts";
import { findRunningEmbeddedDatabase, startDevDatabase, type EmbeddedDatabase } from "./lib/embedded-database.ts";
import { describeEnvFileResult, ensureEnvFile } from "./lib/env-file.ts";
import { startLocalOidcProvider, type LocalOidcProvider } from "./lib/local-oidc-provider.ts";
import { startInboxPage, startMailCatcher, type MailCatcher } from "./lib/mail-catcher.ts";
import { isPortInUse } from "./lib/port.ts";
import { createPrefixedLog } from "./lib/prefixed-log.ts";
import { ensurePrismaClient, requirePrisma } from "./lib/prisma-cli.ts";
import { DATA_DIR, REPO_ROOT } from "./lib/repo-root.ts";

const DEFAULT_LOCAL_OIDC_PORT = 3001;
// A client registered with the local provider only, which serves loopback only: not a secret.
const LOCAL_OIDC_CLIENT = { clientId: "latchkey-dev", clientSecret: "latchkey-dev-local-only" };
// Someone the database does not know yet: signing in as them creates a user without a password.
const LOCAL_OIDC_NEWCOMER = { login: "newcomer@example.com", email: "newcomer@example.com", emailVerified: true, name: "Nia Newcomer" };
// The dev inbox page's usual port; another free one if it is taken.
const DEFAULT_INBOX_PORT = 1080;
const READY_POLL_INTERVAL_MS = 250;
const READY_REQUEST_TIMEOUT_MS = 2_000;
const TSX_BIN = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const WEB_DIR = path.join(REPO_ROOT, "apps", "web");
const VITE_BIN = path.join(WEB_DIR, "node_modules", ".bin", "vite");

const log = createPrefixedLog("dev", "green");
const dbLog = createPrefixedLog("db", "yellow");
const apiLog = createPrefixedLog("api", "cyan");
const webLog = createPrefixedLog("web", "magenta");
const oidcLog = createPrefixedLog("oidc", "blue");
const mailLog = createPrefixedLog("mail", "blue");

// Ctrl-C or SIGTERM: finish the current step, then stop everything in order (see `finally`).
const shutdown = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (shutdown.signal.aborted) return;
    log.info("Stopping…");
    shutdown.abort();
  });
}

/**
 * Where Vite serves the app, and so the API's APP_ORIGIN. Without APP_ORIGIN: localhost on
 * WEB_PORT (or the first free default). With it: exactly that origin, so its port is fixed.
 */
async function chooseWebOrigin(reserved: number[]): Promise<{ port: ChosenPort; appOrigin: string }> {
  const { APP_ORIGIN, WEB_PORT } = process.env;
  if (!APP_ORIGIN) {
    const port = await chooseDevPort({ variable: "WEB_PORT", value: WEB_PORT, defaultPort: DEFAULT_WEB_PORT, reserved });
    return { port, appOrigin: `http://localhost:${port.port}` };
  }
  if (!URL.canParse(APP_ORIGIN) || new URL(APP_ORIGIN).protocol !== "http:") {
    throw new Error(`APP_ORIGIN must be an http:// origin under pnpm dev (Vite serves plain HTTP; HTTPS mode is in the README), not "${APP_ORIGIN}".`);
  }
  const origin = new URL(APP_ORIGIN);
  const port = Number(origin.port || "80");
  if (WEB_PORT && Number(WEB_PORT) !== port) {
    throw new Error(`APP_ORIGIN (${origin.origin}) and WEB_PORT (${WEB_PORT}) name different ports; set only one of them.`);
  }
  if (reserved.includes(port) || (await isPortInUse(port))) {
    throw new Error(`APP_ORIGIN=${origin.origin}: port ${port} is in use. Stop what is using it, or change APP_ORIGIN (unset, WEB_PORT decides).`);
  }
  return { port: { port, movedFrom: null }, appOrigin: origin.origin };
}

/** The URL shown in logs: a password in DATABASE_URL stays out of the terminal. */
function redactUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

async function waitUntilServing(url: string): Promise<boolean> {
  while (!shutdown.signal.aborted) {
    try {
      const response = await fetch(url, { signal: AbortSignal.any([shutdown.signal, AbortSignal.timeout(READY_REQUEST_TIMEOUT_MS)]) });
      await response.body?.cancel();
      if (response.ok) return true;
    } catch {
      // Not listening yet.
    }
    await sleep(READY_POLL_INTERVAL_MS);
  }
  return false;
}

async function announceWhenReady(apiPort: number, appOrigin: string, inboxUrl: string | null): Promise<void> {
  const ready = await Promise.all([waitUntilServing(`http://127.0.0.1:${apiPort}/healthz`), waitUntilServing(appOrigin)]);
  if (!ready.every(Boolean)) return;
  const users = DEMO_USERS.map(describeDemoUser).join(", ");
  log.info(`Ready: open ${appOrigin}`);
  log.info(`Demo users (seeded on first start): ${users}, password ${DEMO_PASSWORD}`);
  if (inboxUrl) log.info(`Dev inbox (mail the app sends): ${inboxUrl}`);
  log.info("Press Ctrl-C to stop.");
}

/** The database to use: DATABASE_URL, else the embedded one `pnpm db` serves, else one started here. */
async function openDatabase(): Promise<{ url: string; startedHere: EmbeddedDatabase | null }> {
  const configured = process.env.DATABASE_URL;
  if (configured) {
    dbLog.info(`Using DATABASE_URL (${redactUrl(configured)}).`);
    return { url: configured, startedHere: null };
  }
  const running = findRunningEmbeddedDatabase(DATA_DIR);
  if (running) {
    dbLog.info(`Using the embedded database that process ${running.pid} serves at ${running.url}.`);
    return { url: running.url, startedHere: null };
  }
  dbLog.info("Starting embedded PostgreSQL (PGlite)…");
  const { database: started, notice } = await startDevDatabase(DATA_DIR, process.env.DB_PORT);
  if (notice) dbLog.info(notice);
  dbLog.info(`Serving ${started.url} (data in .data/pglite).`);
  return { url: started.url, startedHere: started };
}

/**
 * "Sign in with Local OIDC" offline: a real OpenID Connect provider on loopback that knows the demo
 * users (log in with their email; the password field is not checked) and one newcomer. The API
 * links by verified email here (unless OAUTH_AUTO_LINK says otherwise), so demo users sign in at once.
 */
async function startDevOidcProvider(appOrigin: string, reserved: number[]): Promise<{ provider: LocalOidcProvider; env: Record<string, string> }> {
  const chosen = await chooseDevPort({ variable: "LOCAL_OIDC_PORT", value: process.env.LOCAL_OIDC_PORT, defaultPort: DEFAULT_LOCAL_OIDC_PORT, reserved });
  const notice = describeMovedPort("LOCAL_OIDC_PORT", chosen);
  if (notice) oidcLog.info(notice);
  const { port } = chosen;
  const provider = await startLocalOidcProvider({
    port,
    clients: [{ ...LOCAL_OIDC_CLIENT, redirectUris: [`${appOrigin}/auth/oauth/oidc/callback`] }],
    accounts: [...DEMO_USERS.map((user) => ({ login: user.email, email: user.email, emailVerified: true, name: user.name })), LOCAL_OIDC_NEWCOMER],
  });
  oidcLog.info(`Local OpenID Connect provider at ${provider.issuer} (log in as a demo user's email or ${LOCAL_OIDC_NEWCOMER.email}; any password).`);
  return {
    provider,
    env: {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: LOCAL_OIDC_CLIENT.clientId,
      OIDC_CLIENT_SECRET: LOCAL_OIDC_CLIENT.clientSecret,
      OIDC_NAME: "Local OIDC",
      OAUTH_AUTO_LINK: process.env.OAUTH_AUTO_LINK || "verified-email",
    },
  };
}

function describeExit({ code, signal }: ChildExit): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/** A local SMTP catcher and its inbox page, unless SMTP_URL names a real mail server. */
async function openMail(): Promise<{ smtpUrl: string; inboxUrl: string | null; stop: () => Promise<void> }> {
  const configured = process.env.SMTP_URL;
  if (configured) {
    mailLog.info(`Using SMTP_URL (${redactUrl(configured)}).`);
    return { smtpUrl: configured, inboxUrl: null, stop: async () => {} };
  }
  const catcher: MailCatcher = await startMailCatcher();
  const inbox = await startInboxPage(catcher, { port: (await isPortInUse(DEFAULT_INBOX_PORT)) ? 0 : DEFAULT_INBOX_PORT });
  mailLog.info(`SMTP catcher on ${catcher.smtpUrl}; dev inbox at ${inbox.url}`);
  return {
    smtpUrl: catcher.smtpUrl,
    inboxUrl: inbox.url,
    stop: async () => {
      await inbox.stop();
      await catcher.stop();
    },
  };
}

let database: EmbeddedDatabase | null = null;
let localOidc: LocalOidcProvider | null = null;
let stopMail: (() => Promise<void>) | null = null;
const children: ChildProcess[] = [];
let exitCode = 0;
try {
  const envFileChange = describeEnvFileResult(ensureEnvFile());
  if (envFileChange) log.info(envFileChange);
  loadDotEnv();
  await ensurePrismaClient(log.info);
  const api = await chooseDevPort({ variable: "API_PORT", value: process.env.API_PORT, defaultPort: DEFAULT_API_PORT });
  const web = await chooseWebOrigin([api.port]);
  for (const [variable, chosen] of [["API_PORT", api], ["WEB_PORT", web.port]] as const) {
    const notice = describeMovedPort(variable, chosen);
    if (notice) log.info(notice);
  }
  const apiPort = api.port;
  const { appOrigin } = web;

  // Child output is piped, so tell them whether this terminal shows colours.
  const colorEnv = process.stdout.hasColors?.() ? { FORCE_COLOR: "1" } : {};
  // Vite first: it needs no database, and its proxy holds requests until the API listens.
  // Vite itself rather than `pnpm --filter @latchkey/web dev`: pnpm reports every stop as a failure.
  const webProcess = startChildProcess({
    command: VITE_BIN,
    args: [],
    cwd: WEB_DIR,
    env: { ...process.env, ...colorEnv, API_PORT: String(apiPort), WEB_PORT: String(web.port.port) },
    log: webLog,
  });
  children.push(webProcess);

  const opened = await openDatabase();
  database = opened.startedHere;
  shutdown.signal.throwIfAborted();

  const databaseEnv = { ...process.env, DATABASE_URL: opened.url };
  const state = await readDatabaseState(opened.url);
  if (state.pendingMigrations.length > 0) {
    dbLog.info(`Applying ${state.pendingMigrations.length} migration(s)…`);
    await requirePrisma(["migrate", "deploy"], databaseEnv);
  }
  shutdown.signal.throwIfAborted();
  if (!state.hasUsers) {
    dbLog.info("Seeding demo users…");
    await requirePrisma(["db", "seed"], databaseEnv);
  }
  shutdown.signal.throwIfAborted();

  const oidcEnv: Record<string, string> = {};
  if (!process.env.OIDC_ISSUER) {
    const started = await startDevOidcProvider(appOrigin, [apiPort, web.port.port]);
    localOidc = started.provider;
    Object.assign(oidcEnv, started.env);
  }
  const mail = await openMail();
  stopMail = mail.stop;

  const apiProcess = startChildProcess({
    command: TSX_BIN,
    args: ["watch", "apps/server/src/index.ts"],
    // Vite proxies to the API over plain HTTP: HTTPS mode (TLS_CERT_FILE) is for `pnpm start` (README).
    env: {
      ...databaseEnv,
      ...oidcEnv,
      ...colorEnv,
      NODE_ENV: "development",
      PORT: String(apiPort),
      APP_ORIGIN: appOrigin,
      SMTP_URL: mail.smtpUrl,
      TLS_CERT_FILE: "",
      TLS_KEY_FILE: "",
    },
    log: apiLog,
  });
  children.push(apiProcess);
  void announceWhenReady(apiPort, appOrigin, mail.inboxUrl);

  // Run until Ctrl-C, or until a child ends by itself, which takes the other one down with it.
  const ended = await Promise.race([
    apiProcess.exited.then((exit) => ({ childLog: apiLog, exit })),
    webProcess.exited.then((exit) => ({ childLog: webLog, exit })),
    new Promise<null>((resolve) => shutdown.signal.addEventListener("abort", () => resolve(null), { once: true })),
  ]);
  if (ended) {
    ended.childLog.error(`${describeExit(ended.exit)}; stopping.`);
    exitCode = 1;
  }
} catch (error) {
  if (!shutdown.signal.aborted) {
    log.error(error instanceof Error ? error.message : String(error));
    exitCode = 1;
  }
} finally {
  shutdown.abort();
  await Promise.all(children.map((child) => child.stop()));
  await localOidc?.close();
  await stopMail?.();
  if (database) {
    dbLog.info("Stopping embedded PostgreSQL (flushing to disk)…");
    await database.stop();
    dbLog.info("Stopped.");
  }
  process.exit(exitCode);
}
