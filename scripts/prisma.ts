// `pnpm prisma <command>`: the Prisma CLI with the project's database filled in.
// With DATABASE_URL unset it uses the embedded database: the one `pnpm dev`/`pnpm db` is serving,
// or one started just for this command (with the shadow server `migrate dev` needs).
import { loadDotEnv } from "./lib/dotenv.ts";
import { DATA_DIR } from "./lib/repo-root.ts";
import { runPrisma } from "./lib/prisma-cli.ts";
import { openEmbeddedDatabase } from "./lib/embedded-database.ts";

const OFFLINE_COMMANDS = new Set(["generate", "format", "validate", "version", "init", "-v", "--version", "-h", "--help"]);

const args = process.argv.slice(2);
loadDotEnv();

// An empty value in .env means unset, as it does for the server.
const needsDatabase = args.length > 0 && !OFFLINE_COMMANDS.has(args[0]!) && !process.env.DATABASE_URL;
let stop = async () => {};
if (needsDatabase) {
  const database = await openEmbeddedDatabase(DATA_DIR, process.env.DB_PORT).catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
  process.env.DATABASE_URL = database.url;
  if (!process.env.SHADOW_DATABASE_URL && database.shadowUrl) process.env.SHADOW_DATABASE_URL = database.shadowUrl;
  stop = database.stop;

  // Ctrl-C reaches the Prisma CLI as well (same process group): let it finish, then close the
  // database cleanly below. A SIGTERM may be for this process alone: close the database first.
  process.on("SIGINT", () => {});
  process.on("SIGTERM", () => void stop().then(() => process.exit(143)));
}

const code = await runPrisma(args);
await stop();
process.exit(code);
