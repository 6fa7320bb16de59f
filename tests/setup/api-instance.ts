// Production-build API instances as separate processes (`node apps/server/dist/index.js`, what
// `pnpm start` runs), for the tests that put several behind a load balancer and restart them.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";

const ENTRY = "apps/server/dist/index.js";
// A start-up takes about a second alone; with test files running side by side on a busy 2-core
// machine, over 20 s was seen. The limit only tells a hang from a slow start.
const READY_TIMEOUT_MS = 60_000;
// An instance that ignores SIGTERM this long is killed (and the test fails on its exit signal).
const STOP_TIMEOUT_MS = 30_000;

export interface ApiInstance {
  url: string;
  /** Everything it printed, line by line. */
  output: string[];
  /** SIGTERM, then its exit: a graceful shutdown exits 0. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Builds the server as `pnpm build` does (tsc into apps/server/dist). */
export function buildServer(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("pnpm", ["--filter", "@latchkey/server", "build"], { cwd: REPO_ROOT, stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`server build failed (exit ${code})`))));
  });
}

/** Starts one instance with exactly `env` (plus PATH) and waits until its /readyz answers 200. */
export async function startApiInstance(env: Record<string, string>): Promise<ApiInstance> {
  const child = spawn(process.execPath, [ENTRY], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on("line", (line) => output.push(line));
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = `http://${env.HOST ?? "127.0.0.1"}:${env.PORT}`;

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let ready = false;
  let gone = false;
  void exited.then(() => (gone = true));
  while (!ready && !gone && Date.now() < deadline) {
    ready = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!ready) {
    child.kill("SIGKILL");
    throw new Error(`API instance at ${url} did not become ready:\n${output.join("\n")}`);
  }
  return {
    url,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}
