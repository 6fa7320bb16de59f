// `pnpm db:cleanup`: deletes expired sessions once, with the server's session policy. The API does
// this on a timer; run this from cron when that timer is off (SESSION_CLEANUP_INTERVAL_MINUTES=0).
import { deleteExpiredSessions } from "../apps/server/src/auth/session.ts";
import { createDatabase } from "../apps/server/src/db.ts";
import { ConfigError, loadConfig } from "../apps/server/src/env.ts";
import { loadDotEnv } from "./lib/dotenv.ts";
import { openEmbeddedDatabase } from "./lib/embedded-database.ts";
import { DATA_DIR } from "./lib/repo-root.ts";

loadDotEnv();
const embedded = process.env.DATABASE_URL
  ? null
  : await openEmbeddedDatabase(DATA_DIR, process.env.DB_PORT).catch((error: Error) => {
      console.error(error.message);
      process.exit(1);
    });

try {
  const config = loadConfig({ ...process.env, DATABASE_URL: embedded?.url ?? process.env.DATABASE_URL });
  const db = createDatabase({ url: config.databaseUrl, poolMax: 1 });
  try {
    const deleted = await deleteExpiredSessions(db, config.session, new Date());
    console.log(`Deleted ${deleted} expired session${deleted === 1 ? "" : "s"}.`);
  } finally {
    await db.$disconnect();
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
} finally {
  // An embedded database must flush before the process ends, whatever happened above.
  await embedded?.stop();
}
