// Child processes for `pnpm bench`: start a server and wait for its "listening on" line, pin a
// process to one core, and read its memory and CPU time from /proc (Linux).
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";

const LISTENING_PATTERN = /listening on (http:\/\/\S+)/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
// Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream architecture.
const CLOCK_TICKS_PER_SECOND = 100;

export interface RunningServer {
  url: string;
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago, for servers that must be told theirs up front. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Spawns a server and resolves once it prints "listening on http://…". Its other output is
 * passed through, prefixed with `label`, so errors stay visible.
 */
export function startServer(label: string, command: string, args: string[], options: SpawnOptions): Promise<RunningServer> {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
  child.stderr!.on("data", (chunk: Buffer) => process.stderr.write(prefixLines(label, chunk)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${label} did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    let started = false;
    child.stdout!.on("data", (chunk: Buffer) => {
      const match = started ? null : LISTENING_PATTERN.exec(chunk.toString());
      if (!match) return;
      started = true;
      clearTimeout(timer);
      resolve({ url: match[1]!, child, pid: child.pid!, stop });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`${label} exited before listening (${signal ?? `exit ${code}`})`));
    });
  });
}

function prefixLines(label: string, chunk: Buffer): string {
  return chunk
    .toString()
    .split("\n")
    .map((line) => (line ? `[${label}] ${line}` : line))
    .join("\n");
}

/** Pins every thread of `pid` (and the threads it starts later) to `core`; false when taskset fails. */
export function pinToCore(pid: number, core: number): boolean {
  const result = spawnSync("taskset", ["--all-tasks", "--cpu-list", "--pid", String(core), String(pid)], { stdio: "ignore" });
  return result.status === 0;
}

export function countCores(): number {
  const result = spawnSync("nproc", [], { encoding: "utf8" });
  return Number.parseInt(result.stdout, 10) || 1;
}

/** Resident memory of a process in KiB (VmRSS), or null once it has gone. */
export function readRssKib(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** User + system CPU seconds a process (all its threads) has used so far; 0 once it has gone. */
export function readCpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return 0;
  }
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds the whole machine has spent busy (not idle, not waiting for I/O), all cores, and
 * those the hypervisor ran something else while this VM wanted to run (steal): a VM's noise that
 * no process here shows.
 */
export function readMachineCpuSeconds(): { busy: number; steal: number } {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).map(Number);
  return { busy: (user! + nice! + system! + irq! + softirq!) / CLOCK_TICKS_PER_SECOND, steal: (steal ?? 0) / CLOCK_TICKS_PER_SECOND };
}
