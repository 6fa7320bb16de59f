// The template: which of the repository's git-tracked files a new project gets, how they are
// changed for it, and how they are stored in the package. Used at pack time
// (scripts/build-package.ts) and at run time (the stored names).
import path from "node:path";

export interface TemplateManifest {
  /** The files of a new project, by their path in it (`/`-separated). */
  files: Array<{ path: string; executable: boolean }>;
}

// npm and pnpm leave these names out of a packed package (lockfiles even in subfolders), so the
// template stores them with a leading "_" and the CLI restores the name.
const RENAMED_WHEN_STORED = new Set([".gitignore", ".npmignore", ".npmrc", "pnpm-lock.yaml", "package-lock.json", "yarn.lock", "bun.lock"]);

/** A local environment file: it may hold secrets (`.env`, `.env.local`); `.env.example` is the template's. */
export function isLocalEnvFile(file: string): boolean {
  const name = path.posix.basename(file);
  return (name === ".env" || name.startsWith(".env.")) && name !== ".env.example";
}

// The template's own machinery: this package and the benchmark (docs/decisions/021).
const TEMPLATE_MACHINERY_DIR = "packages/";

/**
 * The template's files among the repository's tracked files, by one rule (docs/decisions/021):
 * everything git tracks is the app, except `packages/`, which holds all of the template's own
 * machinery (this package, the benchmark). Never source anywhere: tracked files .gitignore matches
 * (`ignored`: generated code, dependencies, data, build output committed by mistake) and local env
 * files, which may hold secrets.
 */
export function selectTemplateFiles(options: { tracked: string[]; ignored: ReadonlySet<string> }): string[] {
  return options.tracked
    .filter((file) => !file.startsWith(TEMPLATE_MACHINERY_DIR))
    .filter((file) => !isLocalEnvFile(file))
    .filter((file) => !options.ignored.has(file))
    .sort();
}

/** Where a template file is stored in the package (`.gitignore` → `_gitignore`, `pnpm-lock.yaml` → `_pnpm-lock.yaml`). */
export function toStoredPath(file: string): string {
  const directory = path.posix.dirname(file);
  const name = path.posix.basename(file);
  const stored = RENAMED_WHEN_STORED.has(name) ? `_${name.replace(/^\./, "")}` : name;
  return directory === "." ? stored : `${directory}/${stored}`;
}

// The root vitest.config.ts runs this package's tests in a project whose first line is this marker.
const VITEST_PROJECT_MARKER = "// create-latchkey's own tests";

/** Removes the vitest project of this package: the `{ … }` block that holds the marker line. */
function removeOwnVitestProject(text: string): string {
  const lines = text.split("\n");
  const marker = lines.findIndex((line) => line.trim().startsWith(VITEST_PROJECT_MARKER));
  if (marker < 1 || lines[marker - 1]!.trim() !== "{") return text;
  const indent = lines[marker - 1]!.length - lines[marker - 1]!.trimStart().length;
  const end = lines.findIndex((line, index) => index > marker && line.startsWith(`${" ".repeat(indent)}}`));
  if (end === -1) return text;
  lines.splice(marker - 1, end - marker + 2);
  return lines.join("\n");
}

/**
 * A template file's text for a new project, which has no `packages/` folder of its own:
 * the workspace stops listing `packages/*` and vitest stops running this package's tests.
 * (The lockfile is pruned by pnpm itself, at pack time.)
 */
// README passages about this repository's own machinery, which a new app does not contain.
const TEMPLATE_ONLY_PASSAGE = /<!-- template-only -->\n[\s\S]*?<!-- \/template-only -->\n\n?/g;

// The benchmark's root script and test glob, which point into packages/bench.
const BENCH_SCRIPT = /^ {4}"bench": "[^"\n]*",\n/m;
const BENCH_TESTS_GLOB = /, "packages\/bench\/src\/\*\*\/\*\.test\.ts"/;

export function transformTemplateFile(file: string, text: string, templateFiles: readonly string[]): string {
  if (file === "README.md") return text.replace(TEMPLATE_ONLY_PASSAGE, "");
  if (file === "pnpm-workspace.yaml" && !templateFiles.some((other) => other.startsWith("packages/"))) {
    return text.replace(/^ {2}- ["']?packages\/\*["']?\n/m, "");
  }
  if (file === "vitest.config.ts") return removeOwnVitestProject(text).replace(BENCH_TESTS_GLOB, "");
  if (file === "package.json") return text.replace(BENCH_SCRIPT, "");
  return text;
}
