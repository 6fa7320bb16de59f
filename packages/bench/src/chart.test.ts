import { describe, expect, it } from "vitest";
import { renderChart } from "./chart.ts";
import type { Row, VariantKey } from "./report.ts";

function row(variant: VariantKey, connections: number, requestsPerSecond: number, p99Ms: number): Row {
  return {
    variant,
    label: variant,
    connections,
    requestsPerSecond,
    p50Ms: 1,
    p99Ms,
    vsCeiling: 1,
    vsPublic: 1,
    serverCpu: 1,
    serverCpuMicrosPerRequest: 1,
    loadCpu: 1,
    rssMib: 100,
    failures: 0,
    timeouts: 0,
    statementsPerRequest: 0,
    rowsWrittenPerRequest: 0,
  };
}

const rows = [row("ceiling", 1, 10_000, 0.2), row("cookie", 1, 5_000, 0.4), row("ceiling", 32, 40_000, 2), row("cookie", 32, 10_000, 8)];
const bars = (svg: string) =>
  [...svg.matchAll(/<rect class="bar"[^>]* height="([\d.]+)"[^>]*><title>([^<]*)<\/title>/g)].map((match) => ({ height: Number(match[1]), title: match[2]! }));

describe("renderChart", () => {
  it("draws one bar per variant and level in each panel, scaled to the panel's largest value", () => {
    const svg = renderChart(rows, ["Run <test> & more", "second line"]);
    const drawn = bars(svg);
    expect(drawn).toHaveLength(rows.length * 2);
    const [throughput, latency] = [drawn.slice(0, 4), drawn.slice(4)];
    expect(throughput.map((bar) => bar.height)).toEqual([65, 32.5, 260, 65]);
    expect(latency.map((bar) => bar.height)).toEqual([6.5, 13, 65, 260]);
    expect(throughput[3]!.title).toBe("3. auth.me, cookie session, 32 conn.: 10,000");
    expect(svg).toContain("32 connections");
    expect(svg).toContain("Run &lt;test&gt; &amp; more");
    expect(svg).toContain("second line");
  });

  it("leaves out a cell that has no value rather than drawing a zero", () => {
    const svg = renderChart([...rows, row("jwt", 32, Number.NaN, Number.NaN)], []);
    expect(bars(svg)).toHaveLength(rows.length * 2);
  });
});
