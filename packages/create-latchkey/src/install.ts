// Installs the new project's dependencies with the package manager's own progress output.
// Ctrl-C (the `signal`) stops the install; the caller then removes or reports the project.
import { spawn } from "node:child_process";

const KILL_AFTER_INTERRUPT_MS = 10_000;

export class InstallInterruptedError extends Error {
  constructor() {
    super("The install was interrupted.");
  }
}

/** Runs `<command…> install` in `projectDir`; rejects on failure, or with InstallInterruptedError on abort. */
export function installDependencies(projectDir: string, command: string[], signal: AbortSignal): Promise<void> {
  const [program, ...args] = command as [string, ...string[]];
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new InstallInterruptedError());
    const child = spawn(program, [...args, "install"], { cwd: projectDir, stdio: "inherit" });
    let killTimer: NodeJS.Timeout | undefined;
    const interrupt = () => {
      // A terminal's Ctrl-C reached the child already; a signal sent to this process alone did not.
      child.kill("SIGINT");
      killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_INTERRUPT_MS).unref();
    };
    signal.addEventListener("abort", interrupt, { once: true });
    child.on("error", (error: NodeJS.ErrnoException) => {
      signal.removeEventListener("abort", interrupt);
      reject(
        error.code === "ENOENT"
          ? new Error(`${program} was not found. Install it, or choose another package manager with --pm.`)
          : error,
      );
    });
    child.on("exit", (code, exitSignal) => {
      signal.removeEventListener("abort", interrupt);
      clearTimeout(killTimer);
      if (signal.aborted) reject(new InstallInterruptedError());
      else if (code === 0) resolve();
      else reject(new Error(`${[program, ...args, "install"].join(" ")} failed (${exitSignal ? `killed by ${exitSignal}` : `exit code ${code}`}).`));
    });
  });
}
