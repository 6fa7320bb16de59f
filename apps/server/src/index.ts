// Entry point: validate configuration, connect, serve (HTTP, or HTTPS with TLS_CERT_FILE), clean up
// expired sessions, shut down cleanly.
import { readFileSync } from "node:fs";
import { createRateLimiter } from "./auth/rate-limit.ts";
import { connectRateLimitStore, type RateLimitStoreConnection } from "./auth/rate-limit-store.ts";
import { SESSION_CACHE_HEARTBEAT, startSessionCache } from "./auth/session-cache.ts";
import { startSessionCleanup } from "./auth/session-cleanup.ts";
import { createDatabase } from "./db.ts";
import { requireConfig, type Config } from "./env.ts";
import { createHttpServer, createHttpsServer } from "./http-server.ts";

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
    return await connectRateLimitStore(config, {
      onError: (error) => console.error(`rate-limit store (${config.rateLimit.store}):`, error.message),
    });
  } catch (error) {
    console.error(`RATE_LIMIT_STORE=${config.rateLimit.store}: cannot connect (${(error as Error).message}).`);
    process.exit(1);
  }
}

const config = requireConfig(process.env);
const db = createDatabase({ url: config.databaseUrl, poolMax: config.databasePoolMax, namedStatements: config.databaseNamedStatements });
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
const deps = { db, config, sessionCache, rateLimiter: createRateLimiter(config.rateLimit.policy, rateLimitStore.store) };
const server = config.tls
  ? createHttpsServer(
      deps,
      { cert: readTlsFile(config.tls.certFile, "TLS_CERT_FILE"), key: readTlsFile(config.tls.keyFile, "TLS_KEY_FILE") },
    )
  : createHttpServer(deps);
const stopSessionCleanup = startSessionCleanup(db, { policy: config.session, intervalMs: config.cleanupIntervalMs });

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const scheme = config.tls ? "https" : "http";
  console.log(
    `latchkey API listening on ${scheme}://${config.host}:${port} (app origin ${config.appOrigin}, rate limits in ${config.rateLimit.store})`,
  );
});

let shuttingDown = false;
async function shutDown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`${signal}: shutting down`);
  const cleanupStopped = stopSessionCleanup();
  server.closeIdleConnections();
  await new Promise((resolve) => server.close(resolve));
  await cleanupStopped;
  await sessionCache?.close();
  await rateLimitStore.close();
  await db.$disconnect();
  process.exit(0);
}
process.on("SIGINT", () => void shutDown("SIGINT"));
process.on("SIGTERM", () => void shutDown("SIGTERM"));
