// One in-memory PGlite server in a process of its own, started by the test run's global setup
// (tests/setup/global-database.ts) once per vitest worker. PGlite runs on the thread that holds it:
// in the vitest main process, every worker's queries would take turns on one core.
// - Started with a tarball's path as its argument, it starts from that data directory (the
//   migrated snapshot) instead of an empty one.
// - Prints its URL as one JSON line.
// - On a stdin line `dump <path>`, writes its data directory there as a tarball and prints
//   `{"dumped":"<path>"}` (or `{"dumpFailed":"<why>"}`).
// - Stops when its stdin closes (the run ended, or died) or on SIGTERM.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { startEmbeddedDatabase } from "../../scripts/lib/embedded-database.ts";

const snapshot = process.argv[2];
const database = await startEmbeddedDatabase({
  dataDir: null,
  port: 0,
  loadDataDir: snapshot ? new Blob([readFileSync(snapshot)]) : undefined,
});
process.stdout.write(`${JSON.stringify({ url: database.url })}\n`);

async function dump(file: string) {
  // Written whole, then renamed: a run starting meanwhile never reads half a tarball.
  const temporary = `${file}.${process.pid}`;
  writeFileSync(temporary, Buffer.from(await (await database.dump()).arrayBuffer()));
  renameSync(temporary, file);
  process.stdout.write(`${JSON.stringify({ dumped: file })}\n`);
}

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  void database.stop().finally(() => process.exit(0));
}
createInterface({ input: process.stdin })
  .on("line", (line) => {
    if (!line.startsWith("dump ")) return;
    // A snapshot only saves later runs time: its failure is reported, and this database serves on.
    dump(line.slice("dump ".length)).catch((error: Error) => process.stdout.write(`${JSON.stringify({ dumpFailed: error.message })}\n`));
  })
  .on("close", stop);
process.on("SIGTERM", stop);
