// Health endpoints for load balancers and orchestrators (DESIGN §8, docs/deployment.md): /healthz
// (liveness) answers while the process runs; /readyz (readiness) answers 200 only while the
// instance can serve: the database answers, every migration of this build is applied, and it is
// not shutting down. Both are cheap, never cached and name nothing secret.
import { readdirSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Database } from "./db.ts";

// prisma/migrations at the repository root, from apps/server/src (tsx) or apps/server/dist (build).
const MIGRATIONS_DIR = new URL("../../../prisma/migrations/", import.meta.url);
// A readiness probe that takes longer than this is a no: the balancer's check must not time out first.
export const READINESS_TIMEOUT_MS = 2_000;

export type Readiness = "ready" | "draining" | "database-unavailable" | "migrations-pending";

/** The migrations this build expects (folder names, as Prisma records them in _prisma_migrations). */
export function readMigrationNames(dir: URL = MIGRATIONS_DIR): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

export interface HealthDeps {
  db: Database;
  /** True while the instance shuts down (shutdown.ts). */
  isDraining: () => boolean;
  migrationNames?: string[];
}

function sendHealth(req: IncomingMessage, res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** A request handler for GET/HEAD /healthz and /readyz; returns false for any other request. */
export function createHealthHandler(deps: HealthDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const expected = deps.migrationNames ?? readMigrationNames();
  // Applied migrations are never un-applied: once all are there, readiness is one `SELECT 1`.
  let migrationsApplied = false;
  // Probes that arrive together share one database round trip.
  let pending: Promise<Readiness> | null = null;

  async function queryReadiness(): Promise<Readiness> {
    try {
      if (migrationsApplied) {
        await deps.db.$queryRaw`SELECT 1`;
        return "ready";
      }
      const rows = await deps.db.$queryRaw<{ migration_name: string }[]>`
        SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
      const applied = new Set(rows.map((row) => row.migration_name));
      migrationsApplied = expected.every((name) => applied.has(name));
      return migrationsApplied ? "ready" : "migrations-pending";
    } catch {
      return "database-unavailable";
    }
  }

  async function checkReadiness(): Promise<Readiness> {
    if (deps.isDraining()) return "draining";
    pending ??= queryReadiness().finally(() => {
      pending = null;
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Readiness>((resolve) => {
      timer = setTimeout(() => resolve("database-unavailable"), READINESS_TIMEOUT_MS);
    });
    const readiness = await Promise.race([pending, timedOut]).finally(() => clearTimeout(timer));
    return deps.isDraining() ? "draining" : readiness;
  }

  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const pathname = (req.url ?? "/").split("?")[0];
    if (pathname === "/healthz") {
      res.writeHead(200, { "Content-Type": "text/plain", "Cache-Control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : "ok");
      return true;
    }
    if (pathname !== "/readyz") return false;
    void checkReadiness().then((readiness) =>
      sendHealth(req, res, readiness === "ready" ? 200 : 503, JSON.stringify({ status: readiness })),
    );
    return true;
  };
}
