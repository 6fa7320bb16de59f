// The load generator of `pnpm bench`: a child process (pinned to its own core) that drives
// autocannon on request from the parent over IPC, so no load is generated in a server's process.
// Every request carries the next credential of a rotating list; latencies are kept exactly
// (autocannon's own histogram rounds to whole milliseconds, too coarse on loopback).
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { pinToCore } from "./process.ts";

export interface CredentialList {
  header: string;
  values: string[];
}

export interface LoadRequest {
  url: string;
  connections: number;
  /** Seconds of load; ignored when `amount` is given. */
  durationSeconds: number;
  /** Exactly this many requests, for statement counting. */
  amount?: number;
  credentials: CredentialList;
}

export interface LoadResult {
  okResponses: number;
  /** Answers other than 2xx, connection errors and time-outs (no answer within autocannon's 10 s). */
  failures: number;
  timeouts: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU seconds the load generator used: near `seconds` means it, not the server, was the limit. */
  cpuSeconds: number;
}

export type LoadMessage = { id: number; request: LoadRequest };
export type LoadReply = { id: number; result: LoadResult } | { id: number; error: string };

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

export async function runLoad(request: LoadRequest): Promise<LoadResult> {
  const { header, values } = request.credentials;
  let next = 0;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  const cpuBefore = process.cpuUsage();

  let instance: autocannon.Instance;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: request.url,
        connections: request.connections,
        duration: request.durationSeconds,
        ...(request.amount ? { amount: request.amount } : {}),
        requests: [
          {
            setupRequest: (req) => {
              req.headers = { [header]: values[next++ % values.length]! };
              return req;
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance!.on("response", (_client, statusCode, _bytes, responseTime) => {
    if (statusCode < 200 || statusCode >= 300) return;
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = responseTime;
  });
  const result = await finished;

  const cpu = process.cpuUsage(cpuBefore);
  const sorted = latencies.subarray(0, count).sort();
  const seconds = result.duration;
  return {
    okResponses: result["2xx"],
    // autocannon counts a time-out as an error too.
    failures: result.non2xx + result.errors,
    timeouts: result.timeouts,
    seconds,
    requestsPerSecond: result["2xx"] / seconds,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

const SERVE_FLAG = "--serve";

export interface LoadGenerator {
  pid: number;
  pinned: boolean;
  run(request: LoadRequest): Promise<LoadResult>;
  stop(): void;
}

/** Forks this file as the load generator, pinned to `core` when taskset works. */
export function startLoadGenerator(core: number | null): LoadGenerator {
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const pinned = core !== null && pinToCore(child.pid!, core);
  const pending = new Map<number, { resolve(result: LoadResult): void; reject(error: Error): void }>();
  let nextId = 0;
  child.on("message", (reply: LoadReply) => {
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if ("error" in reply) waiter?.reject(new Error(`load generator: ${reply.error}`));
    else waiter?.resolve(reply.result);
  });
  child.on("exit", (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load generator exited (${code})`));
    pending.clear();
  });
  return {
    pid: child.pid!,
    pinned,
    run(request) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, request } satisfies LoadMessage);
      });
    },
    stop: () => child.disconnect(),
  };
}

// The forked child: run requests one at a time until the parent disconnects.
if (process.argv[2] === SERVE_FLAG && process.send) {
  process.on("message", (message: LoadMessage) => {
    runLoad(message.request).then(
      (result) => process.send!({ id: message.id, result } satisfies LoadReply),
      (error: unknown) => process.send!({ id: message.id, error: String(error) } satisfies LoadReply),
    );
  });
  process.on("disconnect", () => process.exit(0));
}
