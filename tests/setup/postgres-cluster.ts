// A throw-away PostgreSQL cluster for the tests that stop and restart the database under load: a
// copy of a migrated data directory (made once per migration set with initdb and `prisma migrate
// deploy`, like production) in a temporary directory, pg_ctl on a free loopback port.
// PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` user.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { migratedSnapshotPath, prepareSnapshotDir, type SnapshotKind } from "../../scripts/lib/migrated-snapshot.ts";
import { requirePrisma } from "../../scripts/lib/prisma-cli.ts";
import { getFreePort } from "./http.ts";

const run = promisify(execFile);
const PG_VERSIONS_DIR = "/usr/lib/postgresql";
// pg_ctl waits at most this long for a start or stop.
const PG_CTL_TIMEOUT_S = 30;

export interface PostgresCluster {
  url: string;
  port: number;
  /** Stops the server (fast shutdown: open connections are terminated, as in a failover). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and deletes its data directory. */
  destroy(): Promise<void>;
}

function findPostgresBin(): string {
  const versions = existsSync(PG_VERSIONS_DIR) ? readdirSync(PG_VERSIONS_DIR).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((version) => path.join(PG_VERSIONS_DIR, version, "bin")).find((dir) => existsSync(path.join(dir, "initdb")));
  if (!bin) throw new Error(`no PostgreSQL server binaries under ${PG_VERSIONS_DIR} (Debian: apt-get install postgresql)`);
  return bin;
}

const asRoot = process.getuid?.() === 0;

async function runAsClusterOwner(bin: string, command: string, args: string[]): Promise<void> {
  const file = path.join(bin, command);
  if (asRoot) await run("runuser", ["-u", "postgres", "--", file, ...args]);
  else await run(file, args);
}

/**
 * A migrated data directory to copy: the snapshot in node_modules/.cache/latchkey for these
 * migrations and this PostgreSQL (scripts/lib/migrated-snapshot.ts), made by initdb, a start, the
 * migrations and a clean stop in a directory of its own when there is none yet.
 */
async function migratedTemplate(bin: string): Promise<string> {
  const kind: SnapshotKind = { name: "postgres-cluster", engine: `postgres ${bin}`, extension: "" };
  const template = migratedSnapshotPath(kind);
  if (existsSync(template)) return template;
  const cluster = await createCluster(bin, null);
  try {
    await cluster.start();
    await requirePrisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: cluster.url });
    await cluster.stop();
    prepareSnapshotDir(kind, template);
    // Copied whole under a name of its own, then renamed: a file starting meanwhile never copies
    // half a template. When another file made it first, the rename fails and theirs is used.
    const temporary = `${template}.${process.pid}`;
    await run("cp", ["-a", cluster.dataDir, temporary]);
    try {
      renameSync(temporary, template);
    } catch {
      rmSync(temporary, { recursive: true, force: true });
    }
    return template;
  } finally {
    await cluster.destroy();
  }
}

interface Cluster extends PostgresCluster {
  dataDir: string;
}

/** A cluster in a new temporary directory: initdb'd, or a copy of `template`; not started. */
async function createCluster(bin: string, template: string | null): Promise<Cluster> {
  const dir = mkdtempSync(path.join(tmpdir(), "latchkey-pg-"));
  const dataDir = path.join(dir, "data");
  if (asRoot) await run("chown", ["postgres:postgres", dir]);
  if (template) await run("cp", ["-a", template, dataDir]);
  else await runAsClusterOwner(bin, "initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const port = await getFreePort();
  // No Unix socket (its default directory may not be writable); fsync off: the data is thrown away.
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c max_connections=40`;
  const pgCtl = (...args: string[]) =>
    runAsClusterOwner(bin, "pg_ctl", ["-D", dataDir, "-w", "-t", String(PG_CTL_TIMEOUT_S), ...args]);
  const stop = () => pgCtl("-m", "fast", "stop");
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    dataDir,
    start: () => pgCtl("-o", options, "-l", path.join(dir, "server.log"), "start"),
    stop,
    async destroy() {
      await stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new, migrated, started cluster with trust authentication on 127.0.0.1 only. */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  const cluster = await createCluster(bin, await migratedTemplate(bin));
  await cluster.start();
  return cluster;
}
