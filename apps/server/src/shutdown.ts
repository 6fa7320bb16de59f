// Graceful shutdown (DESIGN §8, docs/decisions/025-graceful-shutdown-and-readiness.md): on SIGTERM
// the instance reports not-ready, lets the load balancer notice, stops accepting, finishes what is
// in flight, closes keep-alive connections, then stops workers, timers and pools in the order they
// were registered. Register a new worker here (before the pools it uses) to have it drained.
import type { IncomingMessage, Server, ServerResponse } from "node:http";

export interface ShutdownTimings {
  /** How long the instance keeps serving, answering not-ready, before it stops accepting. */
  drainDelayMs: number;
  /** How long in-flight requests get to finish once it has stopped accepting; then they are cut. */
  timeoutMs: number;
}

export interface Shutdown {
  /** True from the moment shutdown starts: /readyz answers 503 and keep-alive ends with each response. */
  readonly draining: boolean;
  /** Something to stop once no request is in flight: a worker, a timer, then the pools they use. */
  register(name: string, stop: () => unknown): void;
  /** Runs the shutdown once (later calls wait for the same one); resolves when everything has stopped. */
  run(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// A deadline that does not keep the process alive by itself.
const deadline = (ms: number) => new Promise<true>((resolve) => setTimeout(() => resolve(true), ms).unref());

export function createShutdown(
  server: Server,
  timings: ShutdownTimings,
  log: (message: string) => void = console.log,
): Shutdown {
  const stoppables: { name: string; stop: () => unknown }[] = [];
  const inFlight = new Set<ServerResponse>();
  let running: Promise<void> | null = null;

  // Before the app's handler: from the moment shutdown starts, every response closes its connection,
  // so no keep-alive connection is left for the proxy to reuse.
  server.prependListener("request", (_req: IncomingMessage, res: ServerResponse) => {
    if (running) res.setHeader("Connection", "close");
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
  });

  async function drain(): Promise<void> {
    for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
    // The load balancer needs a few failed health checks to take us out; until then it may still
    // send requests, also on keep-alive connections it holds, and they are served.
    if (timings.drainDelayMs > 0) await sleep(timings.drainDelayMs);
    // Stops accepting and closes the idle keep-alive connections (node's close() does both).
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    if (await Promise.race([closed.then(() => false), deadline(timings.timeoutMs)])) {
      log(`shutdown: ${inFlight.size} request(s) still running after ${timings.timeoutMs} ms; closing their connections`);
      server.closeAllConnections();
      await closed;
    }
    for (const { name, stop } of stoppables) {
      try {
        await stop();
      } catch (error) {
        log(`shutdown: stopping ${name} failed: ${(error as Error).message}`);
      }
    }
  }

  return {
    get draining() {
      return running !== null;
    },
    register(name, stop) {
      stoppables.push({ name, stop });
    },
    run() {
      running ??= drain();
      return running;
    },
  };
}
