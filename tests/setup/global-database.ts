// Vitest global setup: the run's migrated databases. With DATABASE_URL set, that one PostgreSQL for
// every test file (migrations applied with `prisma migrate deploy`, nothing dropped: tests create
// their own uniquely named rows). Otherwise in-memory PGlite servers, one per vitest worker, each
// in a process of its own (tests/setup/embedded-database-process.ts): a PGlite server may
// interleave two connections' extended-protocol messages, which files running side by side made
// happen ("bind message supplies 7 parameters, but prepared statement "" requires 3"), and one
// process would run every worker's queries on one core. A file uses its worker's database
// (tests/setup/database-url.ts). Then the run's mail server and an outbox worker on each database
// (tests/setup/global-mail.ts). docs/decisions/032.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import type { TestProject } from "vitest/node";
import { requirePrisma } from "../../scripts/lib/prisma-cli.ts";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";
import { startTestMail } from "./global-mail.ts";
import type {} from "./provided-context.ts";

const DATABASE_PROCESS = path.join(REPO_ROOT, "tests/setup/embedded-database-process.ts");

let databaseProcesses: ChildProcess[] = [];
let mail: Awaited<ReturnType<typeof startTestMail>> | null = null;

/** Starts an embedded database process and resolves with its URL once it listens. */
function startEmbeddedDatabaseProcess(): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", DATABASE_PROCESS], { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "inherit"] });
  databaseProcesses.push(child);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the embedded database process exited (code ${code}) before it listened`)));
    createInterface({ input: child.stdout! }).once("line", (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
}

async function startMigratedEmbeddedDatabase(): Promise<string> {
  const url = await startEmbeddedDatabaseProcess();
  await requirePrisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: url });
  return url;
}

export async function setup(project: TestProject) {
  let urls: string[];
  if (process.env.DATABASE_URL) {
    urls = [process.env.DATABASE_URL];
    await requirePrisma(["migrate", "deploy"], process.env);
  } else {
    const workers = Math.max(1, project.globalConfig.maxWorkers ?? 1);
    urls = await Promise.all(Array.from({ length: workers }, startMigratedEmbeddedDatabase));
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
