// Writes a new project atomically: into a hidden sibling of the target first, then moved into
// place in one rename (or merged into an existing directory with --force). Any failure or Ctrl-C
// before the move removes the sibling and every directory it created; the target is untouched.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { writeEnvFile, type EnvFileResult } from "./env-file.ts";
import { UsageError } from "./options.ts";
import { copyTemplate, renameProject, retitleReadme } from "./project-files.ts";
import type { TemplateManifest } from "./template-files.ts";

export type TargetState = "missing" | "empty" | "non-empty" | "file";

export interface ScaffoldOptions {
  targetDir: string;
  name: string;
  databaseUrl: string | null;
  force: boolean;
  templateDir: string;
  manifest: TemplateManifest;
  signal: AbortSignal;
}

export interface ScaffoldResult {
  /** The outermost directory this run created (the target, or a missing parent of it); null if the target existed. */
  createdRoot: string | null;
  /** The .env written, with the secrets generated into it; null when an existing .env was kept (--force). */
  envFile: EnvFileResult | null;
}

const WRITE_DENIED_CODES = new Set(["EACCES", "EPERM", "EROFS"]);

/** What is at `targetDir` now. */
export function inspectTarget(targetDir: string): TargetState {
  try {
    if (!statSync(targetDir).isDirectory()) return "file";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "missing";
    // A file where a parent directory should be.
    if (code === "ENOTDIR") return "file";
    throw error;
  }
  return readdirSync(targetDir).length === 0 ? "empty" : "non-empty";
}

/** Why the project cannot be written to `targetDir`, or null. `shown` is how the path is printed. */
export function getTargetProblem(targetDir: string, options: { force: boolean; shown: string }): string | null {
  const state = inspectTarget(targetDir);
  if (state === "file") return `${options.shown} is a file (or inside one), not a directory. Choose another name.`;
  if (state === "non-empty" && !options.force) {
    return `${options.shown} is not empty. Choose another directory, or pass --force to write into it (same-named files are replaced).`;
  }
  return null;
}

function toWriteError(error: unknown, directory: string): unknown {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  return WRITE_DENIED_CODES.has(code)
    ? new UsageError(`Cannot write to ${directory} (${code === "EROFS" ? "read-only file system" : "permission denied"}). Choose a directory you can write to.`)
    : error;
}

/** Moves every entry of `source` into `destination`, merging directories and replacing files. */
function moveInto(source: string, destination: string): void {
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(destination, entry.name);
    if (entry.isDirectory() && existsSync(to) && statSync(to).isDirectory()) {
      moveInto(from, to);
    } else {
      rmSync(to, { recursive: true, force: true });
      renameSync(from, to);
    }
  }
}

export function scaffoldProject(options: ScaffoldOptions): ScaffoldResult {
  const { targetDir } = options;
  const state = inspectTarget(targetDir);
  const problem = getTargetProblem(targetDir, { force: options.force, shown: targetDir });
  if (problem) throw new UsageError(problem);

  const parent = path.dirname(targetDir);
  let createdRoot: string | null = null;
  let staging: string;
  try {
    if (!existsSync(parent)) createdRoot = mkdirSync(parent, { recursive: true }) ?? null;
    // Private (0700) while it is being written; the project inside gets the usual permissions.
    staging = mkdtempSync(path.join(parent, `.${path.basename(targetDir)}-creating-`));
  } catch (error) {
    if (createdRoot) rmSync(createdRoot, { recursive: true, force: true });
    throw toWriteError(error, parent);
  }

  try {
    const projectDir = path.join(staging, "project");
    mkdirSync(projectDir);
    copyTemplate(options.templateDir, options.manifest, projectDir);
    options.signal.throwIfAborted();
    renameProject(projectDir, options.manifest.files.map((file) => file.path), options.name);
    retitleReadme(projectDir, options.name);
    // Never overwrite the secrets of an existing .env.
    const keepEnvFile = state !== "missing" && existsSync(path.join(targetDir, ".env"));
    const envFile = keepEnvFile ? null : writeEnvFile(projectDir, { databaseUrl: options.databaseUrl });
    options.signal.throwIfAborted();
    if (state === "missing") {
      renameSync(projectDir, targetDir);
      createdRoot ??= targetDir;
    } else {
      moveInto(projectDir, targetDir);
    }
    rmSync(staging, { recursive: true, force: true });
    return { createdRoot, envFile };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (createdRoot) rmSync(createdRoot, { recursive: true, force: true });
    throw toWriteError(error, parent);
  }
}
