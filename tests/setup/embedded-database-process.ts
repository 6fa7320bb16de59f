// One in-memory PGlite server in a process of its own, started by the test run's global setup
// (tests/setup/global-database.ts) once per vitest worker. PGlite runs on the thread that holds it:
// in the vitest main process, every worker's queries would take turns on one core. Prints its URL
// as one JSON line; stops when its stdin closes (the run ended, or died) or on SIGTERM.
import { startEmbeddedDatabase } from "../../scripts/lib/embedded-database.ts";

const database = await startEmbeddedDatabase({ dataDir: null, port: 0 });
process.stdout.write(`${JSON.stringify({ url: database.url })}\n`);

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  void database.stop().finally(() => process.exit(0));
}
process.stdin.on("end", stop).on("close", stop).resume();
process.on("SIGTERM", stop);
