// `pnpm db`: serves the embedded database on its own until Ctrl-C, for working on the schema or
// data without the app. `pnpm prisma …`, `pnpm db:seed` and `pnpm dev` find it through
// .data/server.lock and use it instead of starting their own.
import path from "node:path";
import { loadDotEnv } from "./lib/dotenv.ts";
import { findRunningEmbeddedDatabase, startDevDatabase } from "./lib/embedded-database.ts";
import { DATA_DIR, REPO_ROOT } from "./lib/repo-root.ts";

loadDotEnv();
if (process.env.DATABASE_URL) {
  console.error("DATABASE_URL is set (environment or .env), so nothing uses the embedded database. Unset it to use the embedded one.");
  process.exit(1);
}

const running = findRunningEmbeddedDatabase(DATA_DIR);
if (running) {
  console.error(`The embedded database is already running: process ${running.pid} serves it at ${running.url}.`);
  process.exit(1);
}

// From here on Ctrl-C waits for the database to close: PGlite flushes to disk after its port is free.
const stopRequested = new Promise<void>((resolve) => {
  process.on("SIGINT", () => resolve());
  process.on("SIGTERM", () => resolve());
});

console.log("Starting embedded PostgreSQL (PGlite)…");
const { database, notice } = await startDevDatabase(DATA_DIR, process.env.DB_PORT).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
if (notice) console.log(notice);

console.log(`
Embedded PostgreSQL is running (data in ${path.relative(REPO_ROOT, DATA_DIR)}/pglite).
  DATABASE_URL=${database.url}
  SHADOW_DATABASE_URL=${database.shadowUrl}

While it runs, these use it: pnpm prisma migrate dev, pnpm prisma studio, pnpm db:seed, pnpm dev.
Any other PostgreSQL client can connect with DATABASE_URL (one database; ?schema= is ignored).
Press Ctrl-C to stop.`);

await stopRequested;
console.log("Stopping: flushing the database to disk…");
await database.stop();
console.log("Stopped.");
