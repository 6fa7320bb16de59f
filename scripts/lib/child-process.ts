// Long-running child processes for `pnpm dev`: output line by line through a prefixed log, and a
// stop that reaches the whole process tree (tsx watch → node, vite → esbuild). POSIX process groups.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { PrefixedLog } from "./prefixed-log.ts";
import { REPO_ROOT } from "./repo-root.ts";

// Time a child gets to shut down cleanly after SIGTERM before it is killed.
const STOP_TIMEOUT_MS = 10_000;

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildProcess {
  exited: Promise<ChildExit>;
  /** SIGTERM to the child's process group, SIGKILL if it is still there after STOP_TIMEOUT_MS. */
  stop(): Promise<void>;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group has already exited.
  }
}

export function startChildProcess(options: {
  command: string;
  args: string[];
  cwd?: string;
  env: NodeJS.ProcessEnv;
  log: PrefixedLog;
}): ChildProcess {
  const { log } = options;
  // A process group of its own: stop() signals the whole tree, and Ctrl-C reaches only the parent,
  // which stops the children before the database they use.
  const child = spawn(options.command, options.args, {
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", log.info);
  createInterface({ input: child.stderr, crlfDelay: Infinity }).on("line", log.error);

  // Should the parent exit without stopping the tree, leave no server holding a port.
  const killTree = () => {
    if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
  };
  process.once("exit", killTree);

  const exited = new Promise<ChildExit>((resolve) => {
    child.once("error", (error) => {
      log.error(`could not start ${options.command}: ${error.message}`);
      resolve({ code: 1, signal: null });
    });
    child.once("exit", (code, signal) => {
      process.off("exit", killTree);
      resolve({ code, signal });
    });
  });

  return {
    exited,
    async stop() {
      if (child.pid === undefined) return;
      // Even after the child has exited: the signal reaches whatever it left running in its group.
      signalGroup(child.pid, "SIGTERM");
      const timer = setTimeout(killTree, STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
