// Answers that must not reveal whether an address has an account (sign-up, password reset request,
// verification resend) take the same time on every path: the work runs, then the answer waits until
// a fixed floor has passed (UNIFORM_RESPONSE_MS). The paths differ by a few inserts; the
// floor is far above that, so the time of an answer follows the floor, not the path (tested in
// http-server.email.test.ts).
import { setTimeout as sleep } from "node:timers/promises";

/** UNIFORM_RESPONSE_MS unset: above an argon2id hash plus a transaction on a busy machine, below what people notice. */
export const DEFAULT_UNIFORM_RESPONSE_MS = 500;

/** Runs `work`, then waits until `minimumMs` have passed since the call (whether it succeeded or threw). */
export async function withUniformResponseTime<T>(work: () => Promise<T>, minimumMs: number): Promise<T> {
  const startedAt = performance.now();
  try {
    return await work();
  } finally {
    const remaining = minimumMs - (performance.now() - startedAt);
    if (remaining > 0) await sleep(remaining);
  }
}
