import { describe, expect, it } from "vitest";
import { describeOtherLoad, judgeTargets, summarize, type Cell, type StatementCount, type VariantKey } from "./report.ts";

function cell(round: number, variant: VariantKey, connections: number, requestsPerSecond: number, p99Ms = 2, timeouts = 0): Cell {
  return {
    round,
    variant,
    connections,
    load: { okResponses: requestsPerSecond, failures: timeouts, timeouts, seconds: 1, requestsPerSecond, p50Ms: 1, p99Ms, cpuSeconds: 0.5 },
    serverCpu: 1,
    serverCpuMicrosPerRequest: 1e6 / requestsPerSecond,
    serverRssKib: 102_400,
    databaseCpu: 0,
    otherCpu: 0,
    stolenCpu: 0,
  };
}

const one = (transactions: number, rowsWritten = 0): StatementCount => ({ requests: 100, transactions, rowsWritten });
const counts = { ceiling: one(0), public: one(0), cookie: one(100), bearer: one(100), jwt: one(0), handwritten: one(100), uncached: one(100), standalone: one(100), publicFetch: one(0) };

// Round 2 runs on a machine twice as fast: same-round ratios must not see it.
const rounds = [1, 2].flatMap((round) =>
  (
    [
      ["ceiling", 1000],
      ["public", 500],
      ["cookie", 250],
      ["bearer", 300],
      ["jwt", 450],
      ["handwritten", 200],
      ["uncached", 150],
      ["standalone", 100],
      ["publicFetch", 400],
    ] as const
  ).map(([variant, rate]) => cell(round, variant, 32, rate * round)),
);

describe("summarize", () => {
  it("takes ratios within each round, then the median, so drift between rounds cancels", () => {
    const cookie = summarize(rounds, counts).find((row) => row.variant === "cookie")!;
    expect(cookie.vsCeiling).toBeCloseTo(0.25);
    expect(cookie.vsPublic).toBeCloseTo(0.5);
    expect(cookie.requestsPerSecond).toBe(375);
    expect(cookie.statementsPerRequest).toBe(1);
    expect(cookie.rssMib).toBe(100);
  });
});

describe("judgeTargets", () => {
  it("judges the issue's targets at the widest level", () => {
    const verdicts = judgeTargets(rounds, summarize(rounds, counts)).map((target) => target.met);
    // cookie: 1 statement, ≥ hand-written; bearer: the same; jwt: 0 statements, 0.9× public; RSS.
    expect(verdicts).toEqual([true, true, true, true, true, true, true]);
  });

  it("judges the tail at 128 connections: a time-out or a p99 over 1.5× hand-written's fails", () => {
    const tail = [1, 2].flatMap((round) => [
      cell(round, "handwritten", 128, 200, 10),
      cell(round, "cookie", 128, 250, 15),
      cell(round, "bearer", 128, 250, 16),
      cell(round, "jwt", 128, 250, 1, 1),
    ]);
    const all = [...rounds, ...tail];
    const targets = judgeTargets(all, summarize(all, counts)).filter((target) => target.description.includes("128"));
    expect(targets.map((target) => target.met)).toEqual([true, false]);
    expect(targets[1]!.measured).toBe("0 failed (0 time-outs), p99 16.0 ms = 1.60×");
    expect(summarize(all, counts).find((row) => row.variant === "jwt" && row.connections === 128)).toMatchObject({ failures: 2, timeouts: 2 });
  });

  it("fails a variant that writes or sends a second statement", () => {
    const writing = { ...counts, cookie: one(100, 1), bearer: one(200) };
    const verdicts = judgeTargets(rounds, summarize(rounds, writing)).map((target) => target.met);
    expect(verdicts.slice(0, 4)).toEqual([false, true, false, true]);
  });
});

describe("describeOtherLoad", () => {
  it("gives the median and worst of other processes' CPU and of the hypervisor's steal over the timed cells", () => {
    const cells = [
      { ...cell(0, "cookie", 32, 100), otherCpu: 1.9, stolenCpu: 1.5 },
      { ...cell(1, "cookie", 32, 100), otherCpu: 0.02, stolenCpu: 0.3 },
      { ...cell(1, "bearer", 32, 100), otherCpu: -0.01, stolenCpu: 0.01 },
      { ...cell(2, "cookie", 32, 100), otherCpu: 0.4, stolenCpu: 0 },
    ];
    expect(describeOtherLoad(cells, 2)).toBe(
      "CPU used by other processes during the timed cells: median 0.02, worst 0.40 cores (of 2); taken by the hypervisor (steal): median 0.01, worst 0.30.",
    );
  });
});
