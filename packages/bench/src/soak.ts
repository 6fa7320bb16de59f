// `pnpm bench --soak`: the production build under a steady load at a fixed rate for 10 minutes,
// its memory (RSS, heap) and event-loop delay sampled every 2 s by soak-probe.mjs. Passes
// when nothing failed and RSS grew by at most 10% after the warm-up. Method: docs/performance.md.
import { writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import autocannon from "autocannon";
import { connectAdmin, prepareDatabase, seedDatabase } from "./database.ts";
import { findFreePort, startServer } from "./process.ts";
import { START_SCRIPT_ENV } from "./servers.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";
import type { SessionPolicy } from "../../../apps/server/src/auth/session.ts";

const SESSION_COOKIE = "latchkey_session";
const MAX_RSS_GROWTH = 0.1;
const SAMPLE_INTERVAL_MS = 2_000;
// The first minute (a tenth of a shorter run) is warm-up; growth compares the median RSS of the
// minute after it with that of the last minute.
const WINDOW_SECONDS = 60;
const PROBE = path.join(REPO_ROOT, "packages/bench/src/soak-probe.mjs");
const ARTIFACTS_DIR = path.join(REPO_ROOT, "artifacts", "bench");

export interface SoakSettings {
  durationSeconds: number;
  requestsPerSecond: number;
  connections: number;
}

export const DEFAULT_SOAK_SETTINGS: SoakSettings = { durationSeconds: 600, requestsPerSecond: 100, connections: 16 };

interface Sample {
  atSeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  eventLoopDelayMeanMs: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

const MIB = 2 ** 20;
const mib = (bytes: number) => (bytes / MIB).toFixed(1);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The soak on a database prepared like `pnpm bench`'s; resolves with whether it passed. */
export async function runSoak(options: {
  databaseUrl: string;
  serverEnv: NodeJS.ProcessEnv;
  sessionPolicy: SessionPolicy;
  settings: SoakSettings;
  log: (message: string) => void;
}): Promise<boolean> {
  const { settings, log } = options;
  const windowSeconds = Math.min(WINDOW_SECONDS, settings.durationSeconds / 10);
  const admin = await connectAdmin(options.databaseUrl);
  try {
    log("Preparing the database (migrate deploy, 1,000 users, 10,000 sessions)…");
    await prepareDatabase(admin, options.databaseUrl);
  } finally {
    await admin.end();
  }
  const seeded = await seedDatabase(options.databaseUrl, options.sessionPolicy);

  const port = await findFreePort();
  const server = await startServer("api", process.execPath, ["--import", PROBE, path.join(REPO_ROOT, "apps/server/dist/index.js")], {
    cwd: REPO_ROOT,
    env: { ...options.serverEnv, ...START_SCRIPT_ENV, PORT: String(port), SOAK_SAMPLE_INTERVAL_MS: String(SAMPLE_INTERVAL_MS) },
  });
  const startedAt = Date.now();
  const loadAverageAtStart = os.loadavg();
  const samples: Sample[] = [];
  createInterface({ input: server.child.stdout! }).on("line", (line) => {
    if (!line.startsWith("soak-sample ")) return;
    samples.push({ atSeconds: (Date.now() - startedAt) / 1000, ...(JSON.parse(line.slice("soak-sample ".length)) as Omit<Sample, "atSeconds">) });
  });

  // Reads with a cookie and with a bearer session, a list and a write, each with the next token.
  let next = 0;
  const token = (list: string[]) => list[next++ % list.length]!;
  const bearer = () => ({ authorization: `Bearer ${token(seeded.bearerTokens)}`, "content-type": "application/json" });
  log(`Soak: ${settings.requestsPerSecond} requests/s for ${settings.durationSeconds} s (first ${windowSeconds} s warm-up)…`);
  let result: autocannon.Result;
  try {
    result = await new Promise<autocannon.Result>((resolve, reject) => {
      autocannon(
        {
          url: server.url,
          connections: settings.connections,
          overallRate: settings.requestsPerSecond,
          duration: settings.durationSeconds,
          requests: [
            { method: "GET", path: "/trpc/auth.me", setupRequest: (req) => ({ ...req, headers: { cookie: `${SESSION_COOKIE}=${token(seeded.cookieTokens)}` } }) },
            { method: "GET", path: "/trpc/auth.me", setupRequest: (req) => ({ ...req, headers: bearer() }) },
            { method: "GET", path: "/trpc/note.list", setupRequest: (req) => ({ ...req, headers: bearer() }) },
            {
              method: "POST",
              path: "/trpc/note.create",
              setupRequest: (req) => ({ ...req, headers: bearer(), body: JSON.stringify({ title: "soak", body: "x".repeat(200) }) }),
            },
          ],
        },
        (error, finished) => (error ? reject(error) : resolve(finished)),
      );
    });
  } finally {
    await server.stop();
  }

  const afterWarmUp = samples.filter((sample) => sample.atSeconds > windowSeconds);
  const first = afterWarmUp.filter((sample) => sample.atSeconds <= 2 * windowSeconds);
  const last = afterWarmUp.filter((sample) => sample.atSeconds > settings.durationSeconds - windowSeconds);
  const baselineRss = median(first.map((sample) => sample.rssBytes));
  const finalRss = median(last.map((sample) => sample.rssBytes));
  const growth = finalRss / baselineRss - 1;
  const failures = result.errors + result.timeouts + result.non2xx;
  const passed = failures === 0 && growth <= MAX_RSS_GROWTH && first.length > 0 && last.length > 0;
  const peak = (pick: (sample: Sample) => number) => Math.max(...afterWarmUp.map(pick));

  const markdown = [
    `Soak ${new Date(startedAt).toISOString()}: ${settings.requestsPerSecond} requests/s for ${settings.durationSeconds} s ` +
      `(${settings.connections} connections; auth.me by cookie and by bearer session, note.list, note.create in turn), ` +
      `${os.cpus()[0]?.model ?? "unknown CPU"} × ${os.cpus().length}, Node ${process.version}; load average at start ` +
      `${loadAverageAtStart.map((n) => n.toFixed(2)).join(" ")}, at the end ${os.loadavg().map((n) => n.toFixed(2)).join(" ")}.`,
    "",
    "| | value |",
    "| --- | --- |",
    `| requests answered 2xx | ${result["2xx"]} (${(result["2xx"] / settings.durationSeconds).toFixed(1)}/s) |`,
    `| errors, time-outs, non-2xx | ${result.errors}, ${result.timeouts}, ${result.non2xx} |`,
    `| latency p50 / p99 / max | ${result.latency.p50} / ${result.latency.p99} / ${result.latency.max} ms |`,
    `| RSS after warm-up (median, first minute) | ${mib(baselineRss)} MiB |`,
    `| RSS at the end (median, last minute) | ${mib(finalRss)} MiB |`,
    `| RSS growth after warm-up (limit ${MAX_RSS_GROWTH * 100}%) | ${(growth * 100).toFixed(1)}% |`,
    `| RSS peak after warm-up | ${mib(peak((sample) => sample.rssBytes))} MiB |`,
    `| heap used: first / last sample after warm-up | ${mib(afterWarmUp[0]?.heapUsedBytes ?? Number.NaN)} / ${mib(afterWarmUp.at(-1)?.heapUsedBytes ?? Number.NaN)} MiB |`,
    `| event-loop delay: mean of 2 s means / worst p99 / max | ${(afterWarmUp.reduce((sum, s) => sum + s.eventLoopDelayMeanMs, 0) / afterWarmUp.length).toFixed(1)} / ${peak((sample) => sample.eventLoopDelayP99Ms).toFixed(1)} / ${peak((sample) => sample.eventLoopDelayMaxMs).toFixed(1)} ms |`,
    "",
    passed ? "Passed." : `FAILED: ${failures} failed requests, RSS growth ${(growth * 100).toFixed(1)}%.`,
  ].join("\n");
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  writeFileSync(path.join(ARTIFACTS_DIR, "soak.md"), `${markdown}\n`);
  writeFileSync(path.join(ARTIFACTS_DIR, "soak.json"), `${JSON.stringify({ settings, startedAt, samples, result }, null, 2)}\n`);
  console.log(markdown);
  log(`Saved ${path.relative(REPO_ROOT, ARTIFACTS_DIR)}/soak.md and soak.json`);
  return passed;
}
