// Turns the benchmark's raw cells into medians, same-round ratios, target verdicts (issue 13) and
// the Markdown table that `pnpm bench` prints and saves.
import type { LoadResult } from "./load.ts";

export const VARIANTS = {
  ceiling: "1. bare node:http (ceiling)",
  public: "2. tRPC publicProcedure",
  cookie: "3. auth.me, cookie session",
  bearer: "4. auth.me, bearer session token",
  jwt: "5. auth.me, JWT access token",
  handwritten: "6. hand-written pg + SHA-256",
  uncached: "7. auth.me, cookie session, session cache off",
  standalone: "8. auth.me, cookie, tRPC standalone adapter (before)",
  publicFetch: "9. tRPC publicProcedure, fetch adapter only (before ADR 027)",
} as const;
export type VariantKey = keyof typeof VARIANTS;
export const VARIANT_KEYS = Object.keys(VARIANTS) as VariantKey[];

export interface Cell {
  round: number;
  variant: VariantKey;
  connections: number;
  load: LoadResult;
  /** Share of one core the server process used during the cell. */
  serverCpu: number;
  /** CPU time the server process spent per answered request, in microseconds. */
  serverCpuMicrosPerRequest: number;
  serverRssKib: number | null;
  /** Cores' worth of CPU the benchmark database's PostgreSQL backends used. */
  databaseCpu: number;
  /** Cores' worth of CPU used by everything else on the machine (this script included): noise. */
  otherCpu: number;
  /** Cores' worth of CPU the hypervisor gave to other VMs while this one wanted it (steal). */
  stolenCpu: number;
}

export interface StatementCount {
  requests: number;
  transactions: number;
  rowsWritten: number;
}

export interface Row {
  variant: VariantKey;
  label: string;
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  vsCeiling: number;
  vsPublic: number;
  serverCpu: number;
  serverCpuMicrosPerRequest: number;
  loadCpu: number;
  rssMib: number | null;
  /** Failed requests summed over rounds (non-2xx, errors, time-outs), and the time-outs among them. */
  failures: number;
  timeouts: number;
  statementsPerRequest: number | null;
  rowsWrittenPerRequest: number | null;
}

export interface Target {
  description: string;
  measured: string;
  met: boolean;
}

function median(values: number[]): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The median over rounds of variant's `metric` (req/s by default) divided by reference's in the
 * same round: drift between rounds cancels.
 */
function sameRoundRatio(
  cells: Cell[],
  variant: VariantKey,
  reference: VariantKey,
  connections: number,
  metric: (load: LoadResult) => number = (load) => load.requestsPerSecond,
): number {
  const ratios = cells
    .filter((cell) => cell.variant === variant && cell.connections === connections)
    .map((cell) => {
      const other = cells.find((c) => c.variant === reference && c.connections === connections && c.round === cell.round);
      return other ? metric(cell.load) / metric(other.load) : Number.NaN;
    });
  return median(ratios);
}

/** Medians across rounds, ratios within rounds. */
export function summarize(cells: Cell[], counts: Partial<Record<VariantKey, StatementCount>>): Row[] {
  const levels = [...new Set(cells.map((cell) => cell.connections))].sort((a, b) => a - b);
  const rows: Row[] = [];
  for (const connections of levels) {
    for (const variant of VARIANT_KEYS) {
      const own = cells.filter((cell) => cell.variant === variant && cell.connections === connections);
      if (own.length === 0) continue;
      const rss = own.map((cell) => cell.serverRssKib).filter((kib): kib is number => kib !== null);
      const count = counts[variant];
      rows.push({
        variant,
        label: VARIANTS[variant],
        connections,
        requestsPerSecond: median(own.map((cell) => cell.load.requestsPerSecond)),
        p50Ms: median(own.map((cell) => cell.load.p50Ms)),
        p99Ms: median(own.map((cell) => cell.load.p99Ms)),
        vsCeiling: sameRoundRatio(cells, variant, "ceiling", connections),
        vsPublic: sameRoundRatio(cells, variant, "public", connections),
        serverCpu: median(own.map((cell) => cell.serverCpu)),
        serverCpuMicrosPerRequest: median(own.map((cell) => cell.serverCpuMicrosPerRequest)),
        loadCpu: median(own.map((cell) => cell.load.cpuSeconds / cell.load.seconds)),
        rssMib: rss.length > 0 ? median(rss) / 1024 : null,
        failures: own.reduce((sum, cell) => sum + cell.load.failures, 0),
        timeouts: own.reduce((sum, cell) => sum + cell.load.timeouts, 0),
        statementsPerRequest: count ? count.transactions / count.requests : null,
        rowsWrittenPerRequest: count ? count.rowsWritten / count.requests : null,
      });
    }
  }
  return rows;
}

// Issue 13's targets: throughput at this level, latency tail and failures at the widest.
const THROUGHPUT_LEVEL = 32;
const TAIL_LEVEL = 128;
const MAX_RSS_MIB = 150;

/**
 * Issue 13's targets. Ratios at 32 connections (or the widest level measured below that), the tail
 * at 128 connections when measured, memory as the API's RSS after the load.
 */
export function judgeTargets(cells: Cell[], rows: Row[]): Target[] {
  const levels = [...new Set(rows.map((row) => row.connections))];
  const level = levels.includes(THROUGHPUT_LEVEL) ? THROUGHPUT_LEVEL : Math.max(...levels);
  const row = (variant: VariantKey, connections: number) =>
    rows.find((candidate) => candidate.variant === variant && candidate.connections === connections);
  const targets: Target[] = [];
  for (const variant of ["cookie", "bearer"] as const) {
    const statements = row(variant, level)?.statementsPerRequest ?? Number.NaN;
    const written = row(variant, level)?.rowsWrittenPerRequest ?? Number.NaN;
    targets.push({
      description: `${variant}: at most 1 SQL statement per request (0 on a cache hit), no write`,
      measured: `${format(statements, 3)} statements, ${format(written, 3)} rows written per request`,
      met: statements <= 1.001 && written === 0,
    });
    const ratio = sameRoundRatio(cells, variant, "handwritten", level);
    targets.push({ description: `${variant}: ≥ 1.0× hand-written at ${level} connections`, measured: `${format(ratio, 2)}×`, met: ratio >= 1 });
    const tail = row(variant, TAIL_LEVEL);
    if (tail) {
      const p99Ratio = sameRoundRatio(cells, variant, "handwritten", TAIL_LEVEL, (load) => load.p99Ms);
      targets.push({
        description: `${variant}: no failures at ${TAIL_LEVEL} connections, p99 ≤ 1.5× hand-written's`,
        measured: `${tail.failures} failed (${tail.timeouts} time-outs), p99 ${format(tail.p99Ms, 1)} ms = ${format(p99Ratio, 2)}×`,
        met: tail.failures === 0 && p99Ratio <= 1.5,
      });
    }
  }
  const jwtStatements = row("jwt", level)?.statementsPerRequest ?? Number.NaN;
  targets.push({ description: "jwt: 0 SQL statements", measured: format(jwtStatements, 3), met: jwtStatements === 0 });
  const jwtRatio = sameRoundRatio(cells, "jwt", "public", level);
  targets.push({ description: `jwt: ≥ 0.9× public procedure at ${level} connections`, measured: `${format(jwtRatio, 2)}×`, met: jwtRatio >= 0.9 });
  const apiRss = Math.max(...rows.filter((candidate) => ["cookie", "bearer", "jwt"].includes(candidate.variant)).map((candidate) => candidate.rssMib ?? Number.NaN));
  targets.push({ description: `API server RSS after the load ≤ ${MAX_RSS_MIB} MiB`, measured: `${format(apiRss, 0)} MiB`, met: apiRss <= MAX_RSS_MIB });
  return targets;
}

function format(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

function formatRate(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–";
}

function formatShare(value: number): string {
  return Number.isFinite(value) ? `${Math.round(value * 100)} %` : "–";
}

export function renderTable(rows: Row[]): string {
  const lines = [
    "| Variant | Conns | req/s | p50 ms | p99 ms | × ceiling | × public | server CPU µs/req | server CPU | load gen CPU | server RSS MiB | SQL stmts/req | rows written/req | failed (time-outs) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${row.connections} | ${formatRate(row.requestsPerSecond)} | ${format(row.p50Ms, 2)} | ${format(row.p99Ms, 2)} | ` +
        `${format(row.vsCeiling, 2)} | ${format(row.vsPublic, 2)} | ${format(row.serverCpuMicrosPerRequest, 0)} | ${formatShare(row.serverCpu)} | ${formatShare(row.loadCpu)} | ` +
        `${format(row.rssMib, 0)} | ${format(row.statementsPerRequest, 3)} | ${format(row.rowsWrittenPerRequest, 3)} | ${row.failures} (${row.timeouts}) |`,
    );
  }
  return lines.join("\n");
}

/** How busy the rest of the machine was while cells ran: the benchmark's noise floor. */
export function describeOtherLoad(cells: Cell[], cores: number): string {
  // Process times and the machine's counters are sampled separately: small negatives are noise.
  const timed = cells.filter((cell) => cell.round > 0).map((cell) => Math.max(0, cell.otherCpu));
  const worst = Math.max(...timed);
  const stolen = cells.filter((cell) => cell.round > 0).map((cell) => cell.stolenCpu);
  return (
    `CPU used by other processes during the timed cells: median ${format(median(timed), 2)}, worst ${format(worst, 2)} cores (of ${cores}); ` +
    `taken by the hypervisor (steal): median ${format(median(stolen), 2)}, worst ${format(Math.max(...stolen), 2)}.`
  );
}

export function renderTargets(targets: Target[]): string {
  return targets.map((target) => `- ${target.met ? "✅" : "❌"} ${target.description}: ${target.measured}`).join("\n");
}
