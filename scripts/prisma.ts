// `pnpm prisma <command>`: the Prisma CLI with the project's database filled in.
// With DATABASE_URL unset it uses the embedded database: the one `pnpm dev`/`pnpm db` is serving,
// or one started just for this command (with the shadow server `migrate dev` needs).
import { loadDotEnv } from "./lib/dotenv.ts";
import { DATA_DIR } from "./lib/repo-root.ts";
import { runPrisma } from "./lib/prisma-cli.ts";
import {
  EMBEDDED_PORT,
  EMBEDDED_SHADOW_PORT,
  findRunningEmbeddedDatabase,
  startEmbeddedDatabase,
} from "./lib/embedded-database.ts";

const OFFLINE_COMMANDS = new Set(["generate", "format", "validate", "version", "init", "-v", "--version", "-h", "--help"]);

const args = process.argv.slice(2);
loadDotEnv();

const needsDatabase = args.length > 0 && !OFFLINE_COMMANDS.has(args[0]!) && !process.env.DATABASE_URL;
let stop = async () => {};
if (needsDatabase) {
  const running = findRunningEmbeddedDatabase(DATA_DIR);
  if (running) {
    process.env.DATABASE_URL = running.url;
    if (running.shadowUrl) process.env.SHADOW_DATABASE_URL ??= running.shadowUrl;
  } else {
    const database = await startEmbeddedDatabase({ dataDir: DATA_DIR, port: EMBEDDED_PORT, shadowPort: EMBEDDED_SHADOW_PORT });
    process.env.DATABASE_URL = database.url;
    process.env.SHADOW_DATABASE_URL ??= database.shadowUrl ?? undefined;
    stop = database.stop;
  }
}

const code = await runPrisma(args);
await stop();
process.exit(code);
