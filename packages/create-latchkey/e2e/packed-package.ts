// Test setup for the end-to-end tests: this package packed with `pnpm pack` (its prepack builds
// dist/), unpacked, its one dependency installed, and helpers to run it and other programs.
import { spawn, type SpawnOptions } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll } from "vitest";

export const PACKAGE_DIR = path.resolve(import.meta.dirname, "..");
export const REPO_ROOT = path.resolve(PACKAGE_DIR, "../..");

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a program to its end; `output` interleaves stdout and stderr as they came. */
export function run(command: string, args: string[], options: SpawnOptions & { onOutput?: (output: string) => void } = {}) {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    options.onOutput?.(output);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const result = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, output }));
  });
  return Object.assign(result, { child });
}

/** The environment of programs run in a new project: no settings of this test run leak into it. */
export function createCleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|VITEST|NODE_ENV$|NODE_OPTIONS$|TEST$|DATABASE_URL$|SHADOW_DATABASE_URL$)/i.test(key)),
  );
  return { ...env, ...extra };
}

export interface PackedPackage {
  /** Holds the tarball and the unpacked package; the caller removes it. */
  workDir: string;
  tarball: string;
  /** The unpacked package, runnable with `node <dir>/dist/cli.js`. */
  dir: string;
  files: string[];
}

// `pnpm pack` rebuilds dist/ in place (prepack), so test files that pack at the same time — they
// run side by side — take turns: one's rebuild would delete files under the other's tar.
const PACK_LOCK = path.join(tmpdir(), `create-latchkey-pack-${createHash("sha256").update(PACKAGE_DIR).digest("hex").slice(0, 12)}.lock`);
// A lock older than this was left by a run killed while packing.
const STALE_PACK_LOCK_MS = 5 * 60_000;

async function withPackLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(PACK_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const lockedAt = (() => {
        try {
          return statSync(PACK_LOCK).mtimeMs;
        } catch {
          return Date.now();
        }
      })();
      if (Date.now() - lockedAt > STALE_PACK_LOCK_MS) rmSync(PACK_LOCK, { recursive: true, force: true });
      await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(PACK_LOCK, { recursive: true, force: true });
  }
}

export async function packPackage(): Promise<PackedPackage> {
  const workDir = mkdtempSync(path.join(tmpdir(), "create-latchkey-pack-"));
  // Readable by the unprivileged user the permission test runs the CLI as.
  chmodSync(workDir, 0o755);
  const env = createCleanEnv();
  const packed = await withPackLock(() => run("pnpm", ["pack", "--pack-destination", workDir], { cwd: PACKAGE_DIR, env }));
  if (packed.code !== 0) throw new Error(`pnpm pack failed:\n${packed.output}`);
  const tarball = path.join(workDir, readdirSync(workDir).find((name) => name.endsWith(".tgz"))!);
  const listed = await run("tar", ["-tzf", tarball], { env });
  const extracted = await run("tar", ["-xzf", tarball, "-C", workDir], { env });
  if (extracted.code !== 0) throw new Error(`tar failed:\n${extracted.output}`);
  const dir = path.join(workDir, "package");
  // What `npm create` does before running the bin: install the package's dependencies.
  const installed = await run("pnpm", ["install", "--prod", "--prefer-offline", "--ignore-scripts"], { cwd: dir, env });
  if (installed.code !== 0) throw new Error(`installing the packed package's dependencies failed:\n${installed.output}`);
  const files = listed.output.split("\n").filter(Boolean).map((file) => file.replace(/^package\//, ""));
  return { workDir, tarball, dir, files };
}

/**
 * Packs this package once for a test file (beforeAll) and removes every temporary directory the
 * file made (`tempDirs`) after it. `runCli` runs the packed bin; `createParent` makes a directory
 * to create projects in, readable by the unprivileged user of the permission test.
 */
export function usePackedPackage() {
  let packed: PackedPackage | null = null;
  const tempDirs: string[] = [];
  beforeAll(async () => {
    packed = await packPackage();
    tempDirs.push(packed.workDir);
  }, 120_000);
  // Deleting an installed app (tens of thousands of files) takes longer than the default 10 s hook
  // time-out on a busy machine.
  afterAll(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  const requirePacked = (): PackedPackage => {
    if (!packed) throw new Error("The package is packed in beforeAll; use it inside a test.");
    return packed;
  };
  const runCli = (args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; onOutput?: (output: string) => void }) =>
    run(process.execPath, [path.join(requirePacked().dir, "dist", "cli.js"), ...args], {
      cwd: options.cwd,
      env: options.env ?? createCleanEnv(),
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
      onOutput: options.onOutput,
    });
  const createParent = (): string => {
    const parent = mkdtempSync(path.join(tmpdir(), "create-latchkey-e2e-"));
    tempDirs.push(parent);
    chmodSync(parent, 0o755);
    return parent;
  };
  return { requirePacked, runCli, createParent, tempDirs };
}
