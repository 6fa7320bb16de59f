// The expired-session cleanup job (DESIGN §3): every interval, deletes expired session rows in
// bounded batches. The API starts it (index.ts); `pnpm db:cleanup` runs one pass from cron instead.
import type { DatabaseClient } from "../db.ts";
import { CLEANUP_BATCH_SIZE, deleteExpiredSessions, type SessionPolicy } from "./session.ts";

export type SessionCleanupResult = { deleted: number } | { error: unknown };

export interface SessionCleanupOptions {
  policy: SessionPolicy;
  /** Time between passes; 0 turns the job off. */
  intervalMs: number;
  batchSize?: number;
  clock?: () => Date;
  /** Told after every pass; by default a failed pass is logged and the next one tries again. */
  onRun?: (result: SessionCleanupResult) => void;
}

function logFailure(result: SessionCleanupResult): void {
  if ("error" in result) console.error("expired-session cleanup failed:", result.error);
}

/** Starts the job; the returned function stops it and waits for a pass in progress to finish. */
export function startSessionCleanup(db: DatabaseClient, options: SessionCleanupOptions): () => Promise<void> {
  if (options.intervalMs <= 0) return async () => {};
  const clock = options.clock ?? (() => new Date());
  const report = options.onRun ?? logFailure;
  let pass: Promise<void> | null = null;

  const timer = setInterval(() => {
    // A pass still working through a backlog is not doubled up.
    if (pass) return;
    pass = deleteExpiredSessions(db, options.policy, clock(), options.batchSize ?? CLEANUP_BATCH_SIZE)
      .then(
        (deleted) => report({ deleted }),
        (error: unknown) => report({ error }),
      )
      .finally(() => {
        pass = null;
      });
  }, options.intervalMs);
  // The job never keeps the process alive on its own.
  timer.unref();

  return async () => {
    clearInterval(timer);
    await pass;
  };
}
