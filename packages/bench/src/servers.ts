// The servers `pnpm bench` measures, each its own process pinned to the server core: the
// production build of the API (`node apps/server/dist/index.js`, as `pnpm start` runs it) and the
// reference servers of packages/bench/src/reference-server.ts.
import path from "node:path";
import { findFreePort, pinToCore, startServer, type RunningServer } from "./process.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";

export type ReferenceVariant = "ceiling" | "public" | "handwritten" | "standalone" | "publicFetch";

export interface ServerOptions {
  /** The complete environment of the server (the API reads nothing else). */
  env: NodeJS.ProcessEnv;
  core: number | null;
  /** Directory for V8 CPU profiles of the servers, written when they exit. */
  cpuProfileDir?: string | null;
}

export interface BenchServer extends RunningServer {
  pinned: boolean;
}

async function pinned(server: Promise<RunningServer>, core: number | null): Promise<BenchServer> {
  const running = await server;
  return { ...running, pinned: core !== null && pinToCore(running.pid, core) };
}

function profiling(options: ServerOptions): string[] {
  return options.cpuProfileDir ? ["--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
}

/**
 * What `pnpm start` adds to the API's environment: glibc's malloc arenas capped at 2
 * (docs/decisions/037-malloc-arenas.md). The bench starts the build with it rather than through
 * `pnpm start`, which would fill what the bench's environment leaves unset from the checkout's `.env`.
 */
export const START_SCRIPT_ENV = { MALLOC_ARENA_MAX: "2" };

export async function startProductionServer(options: ServerOptions): Promise<BenchServer> {
  const port = await findFreePort();
  const server = startServer("api", process.execPath, [...profiling(options), path.join(REPO_ROOT, "apps/server/dist/index.js")], {
    cwd: REPO_ROOT,
    env: { ...options.env, ...START_SCRIPT_ENV, PORT: String(port) },
  });
  return pinned(server, options.core);
}

export function startReferenceServer(variant: ReferenceVariant, meBody: string, options: ServerOptions): Promise<BenchServer> {
  const server = startServer(
    variant,
    process.execPath,
    [...profiling(options), "--import", "tsx", path.join(REPO_ROOT, "packages/bench/src/reference-server.ts")],
    { cwd: REPO_ROOT, env: { ...options.env, BENCH_VARIANT: variant, BENCH_ME_BODY: meBody } },
  );
  return pinned(server, options.core);
}
