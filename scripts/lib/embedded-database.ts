// The embedded default database: PGlite (PostgreSQL in WebAssembly) served over the Postgres wire
// protocol, so Prisma's `@prisma/adapter-pg` and CLI use it exactly like a real server.
// A PGlite server holds one database, so `prisma migrate dev` gets a second server as its shadow.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { chooseDevPort, DEFAULT_DB_PORT, describeMovedPort } from "./dev-ports.ts";
// Connections over the limit are refused, not queued: cover the app's pool, the CLI and a seed.
const MAX_CONNECTIONS = 16;
const SHADOW_MAX_CONNECTIONS = 2;

export interface EmbeddedDatabase {
  url: string;
  shadowUrl: string | null;
  stop(): Promise<void>;
}

interface LockFile {
  pid: number;
  /** Empty while the owner is still starting the servers. */
  url: string;
  shadowUrl: string | null;
}

export function toDatabaseUrl(port: number): string {
  return `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function lockPath(dataDir: string): string {
  return path.join(dataDir, "server.lock");
}

/** The lock of a live process holding `dataDir` (serving or still starting), or null. */
function readLiveLock(dataDir: string): LockFile | null {
  try {
    const lock = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as LockFile;
    return isAlive(lock.pid) ? lock : null;
  } catch {
    return null;
  }
}

function writeLock(dataDir: string, lock: LockFile): void {
  // Write then rename, so a reader never sees a half-written lock and takes the data dir as free.
  const temporary = `${lockPath(dataDir)}.${process.pid}`;
  writeFileSync(temporary, JSON.stringify(lock));
  renameSync(temporary, lockPath(dataDir));
}

function claimLock(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const holder = readLiveLock(dataDir);
  if (holder) {
    throw new Error(
      holder.url
        ? `The embedded database in ${dataDir} is already served by process ${holder.pid} at ${holder.url}.`
        : `The embedded database in ${dataDir} is being started by process ${holder.pid}; try again in a moment.`,
    );
  }
  rmSync(lockPath(dataDir), { force: true });
  // `wx` fails if another process created the lock between our check and now.
  writeFileSync(lockPath(dataDir), JSON.stringify({ pid: process.pid, url: "", shadowUrl: null } satisfies LockFile), { flag: "wx" });
}

/** The embedded database another process is serving from `dataDir`, or null. */
export function findRunningEmbeddedDatabase(dataDir: string): LockFile | null {
  const lock = readLiveLock(dataDir);
  return lock?.url ? lock : null;
}

async function serve(db: PGlite, port: number, maxConnections: number): Promise<PGLiteSocketServer> {
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections });
  try {
    await server.start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new Error(`Port ${port} is in use. Stop what is using it, set DB_PORT to a free port, or set DATABASE_URL to a PostgreSQL server.`);
    }
    throw error;
  }
  return server;
}

function portOf(server: PGLiteSocketServer): number {
  return Number(server.getServerConn().split(":").at(-1));
}

/** A database this process started and serves. */
export interface StartedEmbeddedDatabase extends EmbeddedDatabase {
  /** The main server's data directory as a tarball, which `loadDataDir` starts from. */
  dump(): Promise<Blob>;
}

/**
 * Starts PGlite on `dataDir` (or in memory when null, from the tarball `loadDataDir` when given)
 * and, with `shadowPort`, a shadow server. The data dir is guarded by a lock file released only
 * after PGlite has flushed and closed.
 */
export async function startEmbeddedDatabase(options: {
  dataDir: string | null;
  port: number;
  shadowPort?: number | null;
  loadDataDir?: Blob;
}): Promise<StartedEmbeddedDatabase> {
  const { dataDir } = options;
  if (dataDir && options.loadDataDir) throw new Error("loadDataDir is for an in-memory database (dataDir: null)");
  if (dataDir) claimLock(dataDir);

  // What has been opened so far, closed in reverse order on stop or when a later step fails.
  const openedSteps: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    try {
      for (const close of openedSteps.reverse()) await close();
    } finally {
      if (dataDir) rmSync(lockPath(dataDir), { force: true });
    }
  };
  const open = async (directory: string, port: number, maxConnections: number, loadDataDir?: Blob) => {
    const db = await PGlite.create(dataDir ? path.join(dataDir, directory) : undefined, { loadDataDir });
    openedSteps.push(() => db.close());
    const server = await serve(db, port, maxConnections);
    openedSteps.push(() => server.stop());
    return { db, server };
  };

  try {
    const { db, server } = await open("pglite", options.port, MAX_CONNECTIONS, options.loadDataDir);
    // Disk-backed shadow: starts fast and uses far less memory than an in-memory one.
    const shadow = options.shadowPort == null ? null : (await open("pglite-shadow", options.shadowPort, SHADOW_MAX_CONNECTIONS)).server;
    const url = toDatabaseUrl(portOf(server));
    const shadowUrl = shadow ? toDatabaseUrl(portOf(shadow)) : null;
    if (dataDir) writeLock(dataDir, { pid: process.pid, url, shadowUrl });

    let stopping: Promise<void> | null = null;
    return {
      url,
      shadowUrl,
      stop() {
        stopping ??= closeAll();
        return stopping;
      },
      // Uncompressed: it loads in well under half the time of a gzipped one.
      dump: () => db.dumpDataDir("none"),
    };
  } catch (error) {
    // The start error is the one worth reporting; closing what did open is best effort.
    await closeAll().catch(() => {});
    throw error;
  }
}

/**
 * Starts the development database on `dataDir`: main server on DB_PORT (`dbPort`, the variable's
 * value) or the first free default, shadow server on the port after it. `notice` says when the
 * default was taken.
 */
export async function startDevDatabase(dataDir: string, dbPort: string | undefined): Promise<{ database: EmbeddedDatabase; notice: string | null }> {
  const chosen = await chooseDevPort({ variable: "DB_PORT", value: dbPort, defaultPort: DEFAULT_DB_PORT, width: 2 });
  const database = await startEmbeddedDatabase({ dataDir, port: chosen.port, shadowPort: chosen.port + 1 });
  return { database, notice: describeMovedPort("DB_PORT", chosen) };
}

/**
 * The embedded database on `dataDir`: the one another process serves (then `stop` leaves it
 * running), else one started for this process with a shadow server for `prisma migrate dev`.
 */
export async function openEmbeddedDatabase(dataDir: string, dbPort: string | undefined): Promise<EmbeddedDatabase> {
  const running = findRunningEmbeddedDatabase(dataDir);
  if (running) return { url: running.url, shadowUrl: running.shadowUrl, stop: async () => {} };
  return (await startDevDatabase(dataDir, dbPort)).database;
}
