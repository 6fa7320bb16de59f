// Turns the benchmark's raw cells into medians, same-round ratios, target verdicts and the
// Markdown table that `pnpm bench` prints and saves.
import type { LoadResult } from "./load.ts";

export const VARIANTS = {
  ceiling: "1. bare node:http (ceiling)",
  public: "2. tRPC publicProcedure",
  cookie: "3. auth.me, cookie session",
  bearer: "4. auth.me, bearer session token",
  jwt: "5. auth.me, JWT access token",
  handwritten: "6. hand-written pg + SHA-256",
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

/** The median over rounds of variant's req/s divided by reference's in the same round: drift cancels. */
function sameRoundRatio(cells: Cell[], variant: VariantKey, reference: VariantKey, connections: number): number {
  const ratios = cells
    .filter((cell) => cell.variant === variant && cell.connections === connections)
    .map((cell) => {
      const other = cells.find((c) => c.variant === reference && c.connections === connections && c.round === cell.round);
      return other ? cell.load.requestsPerSecond / other.load.requestsPerSecond : Number.NaN;
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
        statementsPerRequest: count ? count.transactions / count.requests : null,
        rowsWrittenPerRequest: count ? count.rowsWritten / count.requests : null,
      });
    }
  }
  return rows;
}

/** The targets, judged on the highest concurrency level measured. */
export function judgeTargets(cells: Cell[], rows: Row[]): Target[] {
  const top = Math.max(...rows.map((row) => row.connections));
  const row = (variant: VariantKey) => rows.find((candidate) => candidate.variant === variant && candidate.connections === top);
  const targets: Target[] = [];
  for (const variant of ["cookie", "bearer"] as const) {
    const statements = row(variant)?.statementsPerRequest ?? Number.NaN;
    const written = row(variant)?.rowsWrittenPerRequest ?? Number.NaN;
    targets.push({
      description: `${variant}: exactly 1 SQL statement per request, no write`,
      measured: `${format(statements, 3)} statements, ${format(written, 3)} rows written per request`,
      met: Math.abs(statements - 1) < 0.01 && written === 0,
    });
    const ratio = sameRoundRatio(cells, variant, "handwritten", top);
    targets.push({
      description: `${variant}: ≥ 1.0× hand-written at ${top} connections`,
      measured: `${format(ratio, 2)}×`,
      met: ratio >= 1,
    });
  }
  const jwtStatements = row("jwt")?.statementsPerRequest ?? Number.NaN;
  targets.push({ description: "jwt: 0 SQL statements", measured: format(jwtStatements, 3), met: jwtStatements === 0 });
  const jwtRatio = sameRoundRatio(cells, "jwt", "public", top);
  targets.push({ description: `jwt: ≥ 0.8× public procedure at ${top} connections`, measured: `${format(jwtRatio, 2)}×`, met: jwtRatio >= 0.8 });
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
    "| Variant | Conns | req/s | p50 ms | p99 ms | × ceiling | × public | server CPU µs/req | server CPU | load gen CPU | server RSS MiB | SQL stmts/req | rows written/req |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${row.connections} | ${formatRate(row.requestsPerSecond)} | ${format(row.p50Ms, 2)} | ${format(row.p99Ms, 2)} | ` +
        `${format(row.vsCeiling, 2)} | ${format(row.vsPublic, 2)} | ${format(row.serverCpuMicrosPerRequest, 0)} | ${formatShare(row.serverCpu)} | ${formatShare(row.loadCpu)} | ` +
        `${format(row.rssMib, 0)} | ${format(row.statementsPerRequest, 3)} | ${format(row.rowsWrittenPerRequest, 3)} |`,
    );
  }
  return lines.join("\n");
}

/** How busy the rest of the machine was while cells ran: the benchmark's noise floor. */
export function describeOtherLoad(cells: Cell[], cores: number): string {
  // Process times and the machine's counters are sampled separately: small negatives are noise.
  const timed = cells.filter((cell) => cell.round > 0).map((cell) => Math.max(0, cell.otherCpu));
  const worst = Math.max(...timed);
  return `CPU used by other processes during the timed cells: median ${format(median(timed), 2)}, worst ${format(worst, 2)} cores (of ${cores}).`;
}

export function renderTargets(targets: Target[]): string {
  return targets.map((target) => `- ${target.met ? "✅" : "❌"} ${target.description}: ${target.measured}`).join("\n");
}
