// Entry point: validate configuration, connect, serve (HTTP, or HTTPS with TLS_CERT_FILE), clean up
// expired sessions, deliver the mail outbox, shut down gracefully on SIGTERM (shutdown.ts).
import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { createRateLimiter } from "./auth/rate-limit.ts";
import { connectRateLimitStore, type RateLimitStoreConnection } from "./auth/rate-limit-store.ts";
import { SESSION_CACHE_HEARTBEAT, startSessionCache } from "./auth/session-cache.ts";
import { startSessionCleanup } from "./auth/session-cleanup.ts";
import { createDatabase } from "./db.ts";
import { requireConfig, type Config } from "./env.ts";
import { createHttpServer, createHttpsServer } from "./http-server.ts";
import { startOutboxWorker } from "./mail/outbox.ts";
import { createShutdown } from "./shutdown.ts";

const KEEP_ALIVE_TIMEOUT_MS = 65_000;

function readTlsFile(file: string, variable: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    console.error(`${variable}: cannot read ${file} (${(error as Error).message}). \`pnpm cert\` writes a local one.`);
    process.exit(1);
  }
}

/** The shared rate-limit store, reachable at start-up or the server does not start. */
async function connectRateLimits(config: Config): Promise<RateLimitStoreConnection> {
  try {
    return await connectRateLimitStore(config);
  } catch (error) {
    console.error(`RATE_LIMIT_STORE=${config.rateLimit.store}: cannot connect (${(error as Error).message}).`);
    process.exit(1);
  }
}

// Prisma 7 plans queries in a WebAssembly module (~3.4 MB) compiled on the first query. V8's
// optimising tier (TurboFan) recompiles its hot functions in the background and keeps both
// copies: ~50-70 MiB more memory for no speed-up we could measure, as Prisma caches query plans.
// The baseline compiler (Liftoff) alone halves the module's memory
// (docs/decisions/029-server-memory.md). V8 reads the flag when a module is compiled, so it holds
// for Prisma's, which is this process's only WebAssembly; tests and scripts keep V8's default.
setFlagsFromString("--liftoff-only");
// Under load, requests in flight survive young-generation collections and are promoted; V8 let the
// old generation grow to several times its live size before a major collection (~60 MiB of
// garbage here). Growing it by half keeps the heap near its live size at no throughput we could
// measure; 30% made major collections run several times a second under load
// (docs/decisions/034-server-memory-under-load.md). V8 reads the flag at each major collection.
setFlagsFromString("--heap-growing-percent=50");

const config = requireConfig(process.env);
const db = createDatabase({
  url: config.databaseUrl,
  poolMax: config.databasePoolMax,
  namedStatements: config.databaseNamedStatements,
  connectTimeoutMs: config.databaseConnectTimeoutMs,
  statementTimeoutMs: config.databaseStatementTimeoutMs,
});
const rateLimitStore = await connectRateLimits(config);
const sessionCache = config.sessionCache
  ? startSessionCache({
      ...config.sessionCache,
      ...SESSION_CACHE_HEARTBEAT,
      url: config.databaseUrl,
      db,
      onError: (error) => console.error(`session cache (bypassed until LISTEN works again): ${error.message}`),
    })
  : null;
const deps = {
  db,
  config,
  sessionCache,
  rateLimiter: createRateLimiter(config.rateLimit.policy, rateLimitStore.store),
  isDraining: () => shutdown.draining,
};
const server = config.tls
  ? createHttpsServer(
      deps,
      { cert: readTlsFile(config.tls.certFile, "TLS_CERT_FILE"), key: readTlsFile(config.tls.keyFile, "TLS_KEY_FILE") },
    )
  : createHttpServer(deps);
// Longer than a proxy keeps an idle connection to us, so that it, not we, closes idle connections:
// a close from our side can cross a request the proxy has just sent on that connection.
server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
const shutdown = createShutdown(server, config.shutdown);
// Stopped in this order once no request is in flight: workers and timers, then the pools they use.
shutdown.register("session cleanup", startSessionCleanup(db, { policy: config.session, intervalMs: config.cleanupIntervalMs }));
// Without SMTP_URL (allowed outside production) mail waits in the outbox until a server is configured.
if (config.email.smtpUrl) {
  const outbox = startOutboxWorker({ db, smtpUrl: config.email.smtpUrl, from: config.email.from, pollIntervalMs: config.email.outboxPollMs });
  shutdown.register("mail outbox", () => outbox.stop());
} else {
  console.warn("SMTP_URL is not set: mail (verification, password reset) waits in the outbox table until it is.");
}
if (sessionCache) shutdown.register("session cache", () => sessionCache.close());
shutdown.register("rate-limit store", () => rateLimitStore.close());
shutdown.register("database pool", () => db.$disconnect());

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const scheme = config.tls ? "https" : "http";
  console.log(
    `latchkey API listening on ${scheme}://${config.host}:${port} (app origin ${config.appOrigin}, rate limits in ${config.rateLimit.store})`,
  );
});

async function shutDown(signal: string) {
  if (shutdown.draining) return;
  const { drainDelayMs, timeoutMs } = config.shutdown;
  console.log(`${signal}: not ready; stop accepting in ${drainDelayMs} ms, then up to ${timeoutMs} ms for requests in flight`);
  await shutdown.run();
  console.log("shut down");
  process.exit(0);
}
process.on("SIGINT", () => void shutDown("SIGINT"));
process.on("SIGTERM", () => void shutDown("SIGTERM"));
