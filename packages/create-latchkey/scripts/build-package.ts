// `prepack` (run by `pnpm pack` and `pnpm publish`): bundles the CLI into dist/cli.js and builds
// dist/template/ from the repository's git-tracked files (src/template-files.ts says which),
// with a lockfile pruned by pnpm for the smaller workspace. Nothing is fetched at run time.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { selectTemplateFiles, toStoredPath, transformTemplateFile, type TemplateManifest } from "../src/template-files.ts";

const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DIST_DIR = path.join(PACKAGE_DIR, "dist");
const TEMPLATE_DIR = path.join(DIST_DIR, "template");
const EXECUTABLE_MODE = "100755";

function git(args: string[], cwd: string): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

function splitNul(output: string): string[] {
  return output.split("\0").filter(Boolean);
}

/** The repository's tracked files, which of them .gitignore matches, and which are executable. */
function readRepository(repoRoot: string) {
  const tracked = splitNul(git(["ls-files", "-z"], repoRoot));
  const ignored = new Set(splitNul(git(["ls-files", "-z", "--cached", "--ignored", "--exclude-standard"], repoRoot)));
  const executable = new Set(
    splitNul(git(["ls-files", "-z", "--stage"], repoRoot))
      .filter((line) => line.startsWith(EXECUTABLE_MODE))
      .map((line) => line.slice(line.indexOf("\t") + 1)),
  );
  return { tracked, ignored, executable };
}

/** pnpm prunes the lockfile for the template's workspace (no create-latchkey importer), offline. */
function pruneLockfile(stagingDir: string): void {
  // Without the parent `pnpm pack`'s npm_*/pnpm_* settings, which name the source workspace.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key)));
  const workspaceFile = path.join(stagingDir, "pnpm-workspace.yaml");
  const workspaceBefore = readFileSync(workspaceFile, "utf8");
  try {
    execFileSync("pnpm", ["install", "--lockfile-only", "--offline", "--ignore-scripts"], { cwd: stagingDir, env, stdio: "pipe" });
  } catch (error) {
    const output = `${(error as { stdout?: Buffer }).stdout ?? ""}${(error as { stderr?: Buffer }).stderr ?? ""}`;
    throw new Error(`Could not prune the template's lockfile offline; run \`pnpm install\` at the repository root first.\n${output}`);
  }
  if (readFileSync(workspaceFile, "utf8") !== workspaceBefore) throw new Error("pnpm changed the template's pnpm-workspace.yaml while pruning the lockfile.");
}

function buildTemplate(): TemplateManifest {
  const repoRoot = git(["rev-parse", "--show-toplevel"], PACKAGE_DIR).trim();
  const packageDir = path.relative(repoRoot, PACKAGE_DIR).split(path.sep).join("/");
  const repository = readRepository(repoRoot);
  // A tracked file deleted in the working tree is not part of what is being packed.
  const files = selectTemplateFiles(repository).filter((file) => existsSync(path.join(repoRoot, file)));

  const staging = mkdtempSync(path.join(tmpdir(), "create-latchkey-template-"));
  try {
    for (const file of files) {
      const target = path.join(staging, file);
      mkdirSync(path.dirname(target), { recursive: true });
      const source = path.join(repoRoot, file);
      const text = readFileSync(source, "utf8");
      const transformed = transformTemplateFile(file, text, files);
      if (transformed === text) copyFileSync(source, target);
      else writeFileSync(target, transformed);
    }
    const vitestConfig = path.join(staging, "vitest.config.ts");
    if (existsSync(vitestConfig) && readFileSync(vitestConfig, "utf8").includes(packageDir)) {
      throw new Error(`The template's vitest.config.ts still names ${packageDir}: keep its project block in the shape src/template-files.ts removes.`);
    }
    if (existsSync(path.join(staging, "pnpm-lock.yaml"))) pruneLockfile(staging);

    rmSync(TEMPLATE_DIR, { recursive: true, force: true });
    for (const file of files) {
      const target = path.join(TEMPLATE_DIR, toStoredPath(file));
      mkdirSync(path.dirname(target), { recursive: true });
      copyFileSync(path.join(staging, file), target);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { files: files.map((file) => ({ path: file, executable: repository.executable.has(file) })) };
}

rmSync(DIST_DIR, { recursive: true, force: true });
await build({
  entryPoints: [path.join(PACKAGE_DIR, "src", "cli.ts")],
  outfile: path.join(DIST_DIR, "cli.js"),
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // The only runtime dependency; everything else (the template's .env generator included) is bundled.
  external: ["@clack/prompts"],
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
chmodSync(path.join(DIST_DIR, "cli.js"), 0o755);
const manifest = buildTemplate();
writeFileSync(path.join(DIST_DIR, "template.json"), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`create-latchkey: dist/cli.js and a template of ${manifest.files.length} files.`);
