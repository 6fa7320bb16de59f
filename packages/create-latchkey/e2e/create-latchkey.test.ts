// create-latchkey from the packed tarball: what the package holds, the name a new app takes, and
// bad input, which changes nothing. The whole new app (install, tests, build) is new-app.test.ts.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { toStoredPath, type TemplateManifest } from "../src/template-files.ts";
import { createCleanEnv, usePackedPackage } from "./packed-package.ts";

const NOBODY = 65_534;

const { requirePacked, runCli, createParent, tempDirs } = usePackedPackage();

/** A stand-in `pnpm` first on PATH, so the install can be failed or interrupted on purpose. */
function createFakePnpm(script: string): NodeJS.ProcessEnv {
  const bin = mkdtempSync(path.join(tmpdir(), "fake-pnpm-"));
  tempDirs.push(bin);
  writeFileSync(path.join(bin, "pnpm"), `#!${process.execPath}\n${script}\n`, { mode: 0o755 });
  return createCleanEnv({ PATH: `${bin}${path.delimiter}${process.env.PATH}` });
}

describe("the packed package", () => {
  it("holds the CLI and every template file, secrets and this package left out", () => {
    const packed = requirePacked();
    const manifest = JSON.parse(readFileSync(path.join(packed.dir, "dist", "template.json"), "utf8")) as TemplateManifest;
    const paths = manifest.files.map((file) => file.path);
    for (const file of paths) expect(packed.files).toContain(`dist/template/${toStoredPath(file)}`);
    expect(packed.files).toContain("dist/cli.js");
    expect(paths).toEqual(expect.arrayContaining([".gitignore", ".env.example", "pnpm-lock.yaml", "package.json", "apps/server/package.json", "apps/web/package.json", "prisma/schema.prisma"]));
    expect(paths.filter((file) => /(^|\/)\.env$|node_modules|^packages\/create-latchkey\/|(^|\/)dist\/|^\.data\//.test(file))).toEqual([]);
    // The app's own CI comes along: the workflow, and the script that runs it anywhere.
    expect(paths).toEqual(expect.arrayContaining([".github/workflows/ci.yml", ".ci/run"]));
  });
});

/** Every text file under `dir` (relative paths), .git and node_modules left out. */
function readProjectFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.relative(dir, path.join(entry.parentPath, entry.name));
    if (!entry.isFile() || /(^|\/)(\.git|node_modules)\//.test(file)) continue;
    const content = readFileSync(path.join(dir, file));
    if (!content.includes(0)) files.set(file, content.toString("utf8"));
  }
  return files;
}

describe("the name", () => {
  it("--name acme-notes: no file or path of the new app says latchkey, but where it says it came from", async () => {
    const parent = createParent();
    const result = await runCli(["notes-app", "--yes", "--name", "acme-notes", "--no-install", "--no-git"], { cwd: parent });
    expect(result.code, result.output).toBe(0);
    const projectDir = path.join(parent, "notes-app");
    const files = readProjectFiles(projectDir);
    const mentions = [...files].flatMap(([file, text]) =>
      [file, ...text.split("\n")]
        .filter((line) => /latchkey/i.test(line.replaceAll("create-latchkey", "")))
        .map((line) => `${file}: ${line.trim()}`),
    );
    // The README's second line names the template it was created from, and nothing else does.
    expect(mentions).toEqual([`README.md: Created with \`create-latchkey\` from the latchkey template; what follows describes the template as you got it.`]);
    // What a user meets: page title, brand, cookie, API log line, CLI command and its variables.
    expect(files.get("apps/web/index.html")).toContain("<title>acme-notes</title>");
    expect(files.get("apps/server/src/auth/cookie.ts")).toContain('"acme_notes_session"');
    expect(files.get("apps/server/src/index.ts")).toContain("acme-notes API listening on");
    expect(JSON.parse(files.get("apps/cli/package.json")!).bin).toEqual({ "acme-notes": "./bin/acme-notes.js" });
    expect(files.get("apps/cli/src/credentials-file.ts")).toContain("ACME_NOTES_CONFIG_DIR");
    expect(JSON.parse(files.get("package.json")!).name).toBe("acme-notes");
    // Pictures of the template would show its name: the app has none, and its README shows none.
    const pictures = readdirSync(projectDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(png|jpe?g|gif|webp)$/i.test(entry.name))
      .map((entry) => path.relative(projectDir, path.join(entry.parentPath, entry.name)));
    expect(pictures).toEqual([]);
    expect(files.get("README.md")).not.toMatch(/!\[[^\]]*\]\(/);
  });
});

describe("bad input", () => {
  it("--help lists the flags", async () => {
    const result = await runCli(["--help"], { cwd: tmpdir() });
    expect(result.code).toBe(0);
    for (const flag of ["--yes", "--pm", "--database-url", "--no-install", "--no-git", "--force"]) expect(result.output).toContain(flag);
  });

  it.each([
    [["My App", "--yes"], /"My App" cannot name a project: Use lowercase letters only/],
    [["shop", "--yes", "--pm", "cargo"], /--pm must be one of pnpm, npm, yarn, bun/],
    [["shop", "--yes", "--database-url", "mysql://db/shop"], /--database-url: Enter a PostgreSQL URL/],
    [["shop", "--yes", "--frobnicate"], /Unknown option '--frobnicate'/],
    [["shop"], /No terminal to ask questions in: pass --yes/],
  ])("%j: a clear error, exit 1, nothing written", async (args, message) => {
    const parent = createParent();
    const result = await runCli(args, { cwd: parent });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(message);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("refuses a file at the target path and leaves it as it was", async () => {
    const parent = createParent();
    writeFileSync(path.join(parent, "shop"), "my notes");
    const result = await runCli(["shop", "--yes"], { cwd: parent });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/shop is a file \(or inside one\), not a directory/);
    expect(readdirSync(parent)).toEqual(["shop"]);
    expect(readFileSync(path.join(parent, "shop"), "utf8")).toBe("my notes");
  });

  it("refuses a non-empty directory without --force and leaves it as it was", async () => {
    const parent = createParent();
    mkdirSync(path.join(parent, "shop"));
    writeFileSync(path.join(parent, "shop", "README.md"), "mine");
    const result = await runCli(["shop", "--yes", "--no-install"], { cwd: parent });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/shop is not empty\. Choose another directory, or pass --force/);
    expect(readdirSync(parent)).toEqual(["shop"]);
    expect(readdirSync(path.join(parent, "shop"))).toEqual(["README.md"]);
  });

  it("says so when it cannot write to the directory, and writes nothing", async () => {
    const parent = createParent();
    // Root may write anywhere, so as root the CLI runs as an unprivileged user instead.
    const isRoot = process.getuid?.() === 0;
    if (!isRoot) chmodSync(parent, 0o555);
    const result = await runCli(["shop", "--yes", "--no-install", "--no-git"], { cwd: parent, ...(isRoot ? { uid: NOBODY } : {}) });
    expect(result.code).toBe(1);
    expect(result.output).toContain(`Cannot write to ${parent} (permission denied)`);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("Ctrl-C during the install removes the project it created", async () => {
    const parent = createParent();
    const env = createFakePnpm('console.log("fake pnpm: installing"); setTimeout(() => {}, 60_000);');
    let sent = false;
    const cli = runCli(["shop", "--yes", "--pm", "pnpm", "--no-git"], {
      cwd: parent,
      env,
      onOutput: (output) => {
        if (!sent && output.includes("fake pnpm: installing")) {
          sent = true;
          // Only the CLI gets the signal (a terminal would signal both); it must stop the install itself.
          cli.child.kill("SIGINT");
        }
      },
    });
    const result = await cli;
    expect(sent).toBe(true);
    expect(result.code).toBe(130);
    expect(result.output).toMatch(/Install interrupted\. Removed shop: nothing was left behind/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("a failed install removes the project and suggests --no-install", async () => {
    const parent = createParent();
    const env = createFakePnpm('console.error("fake pnpm: registry unreachable"); process.exit(1);');
    const result = await runCli(["shop", "--yes", "--no-git"], { cwd: parent, env });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/pnpm install failed \(exit code 1\)[\s\S]*Removed shop[\s\S]*--no-install/);
    expect(readdirSync(parent)).toEqual([]);
  });
});
