// `pnpm dev`: the whole app from one command. Creates .env if missing, starts the embedded database
// (unless DATABASE_URL is set), applies migrations, seeds a database without users, starts a local
// SMTP catcher with an inbox page (unless SMTP_URL is set) and a local OpenID Connect provider
// (unless OIDC_ISSUER is set), then runs the API (tsx watch) and the Vite dev server until Ctrl-C,
// and stops them before the provider, the mail catcher and the database.
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createDatabase } from "../apps/server/src/db.ts";
import { startChildProcess, type ChildExit, type ChildProcess } from "./lib/child-process.ts";
import { DEMO_PASSWORD, DEMO_USERS, describeDemoUser } from "./lib/demo-users.ts";
import { loadDotEnv } from "./lib/dotenv.ts";
import {
  EMBEDDED_PORT,
  EMBEDDED_SHADOW_PORT,
  findRunningEmbeddedDatabase,
  startEmbeddedDatabase,
  type EmbeddedDatabase,
} from "./lib/embedded-database.ts";
import { describeEnvFileResult, ensureEnvFile } from "./lib/env-file.ts";
import { startLocalOidcProvider, type LocalOidcProvider } from "./lib/local-oidc-provider.ts";
import { startInboxPage, startMailCatcher, type MailCatcher } from "./lib/mail-catcher.ts";
import { isPortInUse } from "./lib/port.ts";
import { createPrefixedLog } from "./lib/prefixed-log.ts";
import { requirePrisma } from "./lib/prisma-cli.ts";
import { DATA_DIR, REPO_ROOT } from "./lib/repo-root.ts";

// The same defaults as apps/server/src/env.ts and apps/web/vite.config.ts.
const DEFAULT_API_PORT = "3000";
const DEFAULT_APP_ORIGIN = "http://localhost:5173";
const DEFAULT_LOCAL_OIDC_PORT = "3001";
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

function parsePort(value: string, name: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${name} must be a port number, not "${value}".`);
  return port;
}

async function requireFreePort(port: number, problem: string): Promise<void> {
  if (await isPortInUse(port)) throw new Error(`Port ${port} is in use, so ${problem}`);
}

/** The URL shown in logs: a password in DATABASE_URL stays out of the terminal. */
function redactUrl(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

async function hasUsers(databaseUrl: string): Promise<boolean> {
  const db = createDatabase({ url: databaseUrl, poolMax: 1 });
  try {
    return (await db.user.findFirst({ select: { id: true } })) !== null;
  } finally {
    await db.$disconnect();
  }
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
  const started = await startEmbeddedDatabase({ dataDir: DATA_DIR, port: EMBEDDED_PORT, shadowPort: EMBEDDED_SHADOW_PORT });
  dbLog.info(`Serving ${started.url} (data in .data/pglite).`);
  return { url: started.url, startedHere: started };
}

/**
 * "Sign in with Local OIDC" offline: a real OpenID Connect provider on loopback that knows the demo
 * users (log in with their email; the password field is not checked) and one newcomer. The API
 * links by verified email here (unless OAUTH_AUTO_LINK says otherwise), so demo users sign in at once.
 */
async function startDevOidcProvider(appOrigin: string): Promise<{ provider: LocalOidcProvider; env: Record<string, string> }> {
  const port = parsePort(process.env.LOCAL_OIDC_PORT || DEFAULT_LOCAL_OIDC_PORT, "LOCAL_OIDC_PORT");
  await requireFreePort(port, "the local OpenID Connect provider cannot listen there. Set LOCAL_OIDC_PORT, or OIDC_ISSUER for another provider.");
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
  const apiPort = parsePort(process.env.API_PORT || DEFAULT_API_PORT, "API_PORT");
  const appOrigin = process.env.APP_ORIGIN || DEFAULT_APP_ORIGIN;
  await requireFreePort(apiPort, "the API cannot listen there. Stop what is using it, or set API_PORT in .env.");
  // Vite serves the app at APP_ORIGIN (port 5173 unless both were changed).
  const webPort = URL.canParse(appOrigin) ? new URL(appOrigin).port : "";
  if (webPort) await requireFreePort(Number(webPort), `Vite cannot serve ${appOrigin}. Stop what is using it.`);

  const opened = await openDatabase();
  database = opened.startedHere;
  shutdown.signal.throwIfAborted();

  const databaseEnv = { ...process.env, DATABASE_URL: opened.url };
  dbLog.info("Applying migrations…");
  await requirePrisma(["migrate", "deploy"], databaseEnv);
  shutdown.signal.throwIfAborted();
  if (!(await hasUsers(opened.url))) {
    dbLog.info("Seeding demo users…");
    await requirePrisma(["db", "seed"], databaseEnv);
  }
  shutdown.signal.throwIfAborted();

  const oidcEnv: Record<string, string> = {};
  if (!process.env.OIDC_ISSUER) {
    const started = await startDevOidcProvider(appOrigin);
    localOidc = started.provider;
    Object.assign(oidcEnv, started.env);
  }
  const mail = await openMail();
  stopMail = mail.stop;

  // Child output is piped, so tell them whether this terminal shows colours.
  const colorEnv = process.stdout.hasColors?.() ? { FORCE_COLOR: "1" } : {};
  const api = startChildProcess({
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
  // Vite itself rather than `pnpm --filter @latchkey/web dev`: pnpm reports every stop as a failure.
  const web = startChildProcess({
    command: VITE_BIN,
    args: [],
    cwd: WEB_DIR,
    env: { ...process.env, ...colorEnv, API_PORT: String(apiPort) },
    log: webLog,
  });
  children.push(api, web);
  void announceWhenReady(apiPort, appOrigin, mail.inboxUrl);

  // Run until Ctrl-C, or until a child ends by itself, which takes the other one down with it.
  const ended = await Promise.race([
    api.exited.then((exit) => ({ childLog: apiLog, exit })),
    web.exited.then((exit) => ({ childLog: webLog, exit })),
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
