// Entry point: validate configuration, connect, serve, clean up expired sessions, shut down cleanly.
import { deleteExpiredSessions } from "./auth/session.ts";
import { createDatabase } from "./db.ts";
import { ConfigError, loadConfig, type Config } from "./env.ts";
import { createHttpServer } from "./http-server.ts";

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const db = createDatabase({ url: config.databaseUrl, poolMax: config.databasePoolMax });
const server = createHttpServer({ db, config });

const cleanupTimer =
  config.cleanupIntervalMs > 0
    ? setInterval(() => {
        deleteExpiredSessions(db, config.session, new Date()).catch((error: unknown) =>
          console.error("expired-session cleanup failed:", error),
        );
      }, config.cleanupIntervalMs).unref()
    : null;

server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  console.log(`latchkey API listening on http://${config.host}:${port} (app origin ${config.appOrigin})`);
});

let shuttingDown = false;
async function shutDown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`${signal}: shutting down`);
  if (cleanupTimer) clearInterval(cleanupTimer);
  server.closeIdleConnections();
  await new Promise((resolve) => server.close(resolve));
  await db.$disconnect();
  process.exit(0);
}
process.on("SIGINT", () => void shutDown("SIGINT"));
process.on("SIGTERM", () => void shutDown("SIGTERM"));
