// Vitest global setup: the run's migrated databases. With DATABASE_URL set, that one PostgreSQL for
// every test file (migrations applied with `prisma migrate deploy`, nothing dropped: tests create
// their own uniquely named rows). Otherwise in-memory PGlite servers, one per vitest worker, started
// from a migrated snapshot kept between runs, each in a process of its own
// (tests/setup/embedded-database-process.ts): a PGlite server may interleave two connections'
// extended-protocol messages, which files running side by side made happen ("bind message supplies
// 7 parameters, but prepared statement "" requires 3"), and one process would run every worker's
// queries on one core. A file uses its worker's database (tests/setup/database-url.ts). Then the
// run's mail server and an outbox worker on each database (tests/setup/global-mail.ts).
// docs/decisions/032.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { TestProject } from "vitest/node";
import { migratedSnapshotPath, pgliteSnapshotKind, prepareSnapshotDir } from "../../scripts/lib/migrated-snapshot.ts";
import { requirePrisma } from "../../scripts/lib/prisma-cli.ts";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";
import { startTestMail } from "./global-mail.ts";
import type {} from "./provided-context.ts";

const DATABASE_PROCESS = path.join(REPO_ROOT, "tests/setup/embedded-database-process.ts");

let databaseProcesses: ChildProcess[] = [];
let mail: Awaited<ReturnType<typeof startTestMail>> | null = null;

interface DatabaseProcess {
  url: string;
  /** Writes the database's data directory to `file`; false (with the reason printed) if it could not. */
  dump(file: string): Promise<boolean>;
}

/** Starts an embedded database process, from `snapshot` when given, and resolves once it listens. */
function startEmbeddedDatabaseProcess(snapshot: string | null): Promise<DatabaseProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", DATABASE_PROCESS, ...(snapshot ? [snapshot] : [])], {
    cwd: REPO_ROOT,
    stdio: ["pipe", "pipe", "inherit"],
  });
  databaseProcesses.push(child);
  const lines = createInterface({ input: child.stdout! });
  const dump = (file: string) =>
    new Promise<boolean>((resolve) => {
      lines.once("line", (line) => {
        const answer = JSON.parse(line) as { dumped?: string; dumpFailed?: string };
        if (answer.dumpFailed) console.warn(`› Could not keep the migrated test database for later runs: ${answer.dumpFailed}`);
        resolve(answer.dumped === file);
      });
      child.stdin!.write(`dump ${file}\n`);
    });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the embedded database process exited (code ${code}) before it listened`)));
    lines.once("line", (line) => resolve({ url: (JSON.parse(line) as { url: string }).url, dump }));
  });
}

/**
 * `count` migrated in-memory databases. They start from the snapshot of the committed migrations
 * when an earlier run left one (scripts/lib/migrated-snapshot.ts); otherwise the first is migrated,
 * its data directory becomes the snapshot, and the others start from it.
 */
async function startMigratedEmbeddedDatabases(count: number): Promise<string[]> {
  const kind = pgliteSnapshotKind();
  const snapshot = migratedSnapshotPath(kind);
  if (existsSync(snapshot)) {
    return (await Promise.all(Array.from({ length: count }, () => startEmbeddedDatabaseProcess(snapshot)))).map((database) => database.url);
  }
  const startAndMigrate = async () => {
    const database = await startEmbeddedDatabaseProcess(null);
    await requirePrisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: database.url });
    return database;
  };
  console.log("› Migrating the embedded test database (kept in node_modules/.cache/latchkey for later runs)…");
  const first = await startAndMigrate();
  prepareSnapshotDir(kind, snapshot);
  const startOther = (await first.dump(snapshot)) ? () => startEmbeddedDatabaseProcess(snapshot) : startAndMigrate;
  const others = await Promise.all(Array.from({ length: count - 1 }, startOther));
  return [first, ...others].map((database) => database.url);
}

export async function setup(project: TestProject) {
  let urls: string[];
  if (process.env.DATABASE_URL) {
    urls = [process.env.DATABASE_URL];
    await requirePrisma(["migrate", "deploy"], process.env);
  } else {
    urls = await startMigratedEmbeddedDatabases(Math.max(1, project.globalConfig.maxWorkers ?? 1));
  }
  project.provide("databaseUrls", urls);
  mail = await startTestMail(urls);
  project.provide("mailControlUrl", mail.controlUrl);
}

export async function teardown() {
  await mail?.stop();
  // Closing stdin asks each to stop; it exits once PGlite has closed.
  await Promise.all(
    databaseProcesses.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.stdin!.end();
        }),
    ),
  );
  databaseProcesses = [];
}
