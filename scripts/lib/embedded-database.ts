// The embedded default database: PGlite (PostgreSQL in WebAssembly) served over the Postgres wire
// protocol, so Prisma's `@prisma/adapter-pg` and CLI use it exactly like a real server.
// A PGlite server holds one database, so `prisma migrate dev` gets a second server as its shadow.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export const EMBEDDED_PORT = 54329;
export const EMBEDDED_SHADOW_PORT = 54330;
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

/** The embedded database another process is serving from `dataDir`, or null. */
export function findRunningEmbeddedDatabase(dataDir: string): LockFile | null {
  try {
    const lock = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as LockFile;
    return isAlive(lock.pid) ? lock : null;
  } catch {
    return null;
  }
}

async function serve(db: PGlite, port: number, maxConnections: number): Promise<PGLiteSocketServer> {
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new Error(`Port ${port} is in use. Stop what is using it, or set DATABASE_URL to a PostgreSQL server.`);
    }
    throw error;
  }
  return server;
}

function portOf(server: PGLiteSocketServer): number {
  return Number(server.getServerConn().split(":").at(-1));
}

/**
 * Starts PGlite on `dataDir` (or in memory when null) and, with `shadowPort`, a shadow server.
 * The data dir is guarded by a lock file released only after PGlite has flushed and closed.
 */
export async function startEmbeddedDatabase(options: {
  dataDir: string | null;
  port: number;
  shadowPort?: number | null;
}): Promise<EmbeddedDatabase> {
  const { dataDir } = options;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    const running = findRunningEmbeddedDatabase(dataDir);
    if (running) {
      throw new Error(`The embedded database in ${dataDir} is already served by process ${running.pid} at ${running.url}.`);
    }
    rmSync(lockPath(dataDir), { force: true });
    // `wx` fails if another process created the lock between our check and now.
    writeFileSync(lockPath(dataDir), JSON.stringify({ pid: process.pid, url: "", shadowUrl: null }), { flag: "wx" });
  }

  const releaseLock = () => dataDir && rmSync(lockPath(dataDir), { force: true });
  try {
    const db = await PGlite.create(dataDir ? path.join(dataDir, "pglite") : undefined);
    const server = await serve(db, options.port, MAX_CONNECTIONS);

    let shadow: { db: PGlite; server: PGLiteSocketServer } | null = null;
    if (options.shadowPort != null) {
      // Disk-backed shadow: starts fast and uses far less memory than an in-memory one.
      const shadowDb = await PGlite.create(dataDir ? path.join(dataDir, "pglite-shadow") : undefined);
      shadow = { db: shadowDb, server: await serve(shadowDb, options.shadowPort, SHADOW_MAX_CONNECTIONS) };
    }

    const url = toDatabaseUrl(portOf(server));
    const shadowUrl = shadow ? toDatabaseUrl(portOf(shadow.server)) : null;
    if (dataDir) writeFileSync(lockPath(dataDir), JSON.stringify({ pid: process.pid, url, shadowUrl } satisfies LockFile));

    let stopping: Promise<void> | null = null;
    return {
      url,
      shadowUrl,
      stop() {
        stopping ??= (async () => {
          await server.stop();
          await db.close();
          if (shadow) {
            await shadow.server.stop();
            await shadow.db.close();
          }
          releaseLock();
        })();
        return stopping;
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}
