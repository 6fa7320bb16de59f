// Loaded into the API process by `pnpm bench --soak` (node --import): every few seconds prints one
// line with the process's memory and event-loop delay since the last line. Plain JavaScript, so the
// production build runs without a TypeScript loader. Not part of the app.
import { monitorEventLoopDelay } from "node:perf_hooks";

const intervalMs = Number(process.env.SOAK_SAMPLE_INTERVAL_MS ?? 5000);
const RESOLUTION_MS = 10;
const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
delay.enable();
// The histogram holds whole timer intervals: the delay is what exceeds the resolution.
const delayMs = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);

setInterval(() => {
  const { rss, heapUsed } = process.memoryUsage();
  const sample = {
    rssBytes: rss,
    heapUsedBytes: heapUsed,
    eventLoopDelayMeanMs: delayMs(delay.mean),
    eventLoopDelayP99Ms: delayMs(delay.percentile(99)),
    eventLoopDelayMaxMs: delayMs(delay.max),
  };
  delay.reset();
  process.stdout.write(`soak-sample ${JSON.stringify(sample)}\n`);
}, intervalMs).unref();
