import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError } from "./options.ts";
import { scaffoldProject, type ScaffoldOptions } from "./scaffold.ts";
import type { TemplateManifest } from "./template-files.ts";

const manifest: TemplateManifest = {
  files: [
    { path: ".gitignore", executable: false },
    { path: ".env.example", executable: false },
    { path: "package.json", executable: false },
    { path: "apps/web/package.json", executable: false },
  ],
};

function createTemplate(): string {
  const template = mkdtempSync(path.join(tmpdir(), "template-"));
  mkdirSync(path.join(template, "apps/web"), { recursive: true });
  writeFileSync(path.join(template, "_gitignore"), ".env\n");
  writeFileSync(path.join(template, ".env.example"), "# DATABASE_URL=postgresql://localhost/dev\n");
  writeFileSync(path.join(template, "package.json"), JSON.stringify({ name: "latchkey", packageManager: "pnpm@12.4.2" }));
  writeFileSync(path.join(template, "apps/web/package.json"), JSON.stringify({ name: "@latchkey/web" }));
  return template;
}

function options(targetDir: string, overrides: Partial<ScaffoldOptions> = {}): ScaffoldOptions {
  return {
    targetDir,
    name: path.basename(targetDir),
    databaseUrl: null,
    force: false,
    templateDir: createTemplate(),
    manifest,
    signal: new AbortController().signal,
    ...overrides,
  };
}

/** Every entry under `dir`, recursively, with file contents: what "nothing changed" compares. */
function snapshot(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    entries[path.relative(dir, file)] = entry.isFile() ? readFileSync(file, "utf8") : "<dir>";
  }
  return entries;
}

describe("scaffoldProject", () => {
  it("creates the project and its missing parents, leaving no staging directory behind", () => {
    const parent = mkdtempSync(path.join(tmpdir(), "parent-"));
    const target = path.join(parent, "deep", "shop");
    const result = scaffoldProject(options(target, { databaseUrl: "postgresql://db/shop" }));

    expect(result.createdRoot).toBe(path.join(parent, "deep"));
    expect(readFileSync(path.join(target, ".gitignore"), "utf8")).toBe(".env\n");
    expect(JSON.parse(readFileSync(path.join(target, "apps/web/package.json"), "utf8")).name).toBe("@shop/web");
    expect(readFileSync(path.join(target, ".env"), "utf8")).toContain("DATABASE_URL=postgresql://db/shop");
    expect(readdirSync(path.join(parent, "deep"))).toEqual(["shop"]);
    // Not the 0700 of the private staging directory.
    expect(statSync(target).mode & 0o755).toBe(0o755);
  });

  it("fills an existing empty directory in place (it may be the shell's working directory)", () => {
    const target = mkdtempSync(path.join(tmpdir(), "empty-"));
    const inode = statSync(target).ino;
    expect(scaffoldProject(options(target)).createdRoot).toBeNull();
    expect(statSync(target).ino).toBe(inode);
    expect(readdirSync(target).sort()).toEqual([".env", ".env.example", ".gitignore", "apps", "package.json"]);
  });

  it("refuses a file at the target path, or a path inside a file, and changes nothing", () => {
    const parent = mkdtempSync(path.join(tmpdir(), "parent-"));
    writeFileSync(path.join(parent, "shop"), "not a directory");
    const before = snapshot(parent);
    for (const target of [path.join(parent, "shop"), path.join(parent, "shop", "inner")]) {
      expect(() => scaffoldProject(options(target))).toThrow(UsageError);
      expect(() => scaffoldProject(options(target))).toThrow(/is a file \(or inside one\), not a directory/);
    }
    expect(snapshot(parent)).toEqual(before);
  });

  it("refuses a non-empty directory without force and changes nothing", () => {
    const target = mkdtempSync(path.join(tmpdir(), "busy-"));
    writeFileSync(path.join(target, "notes.txt"), "mine");
    const before = snapshot(target);
    expect(() => scaffoldProject(options(target))).toThrow(/is not empty\. Choose another directory, or pass --force/);
    expect(snapshot(target)).toEqual(before);
    expect(readdirSync(path.dirname(target)).filter((name) => name.startsWith(`.${path.basename(target)}-creating-`))).toEqual([]);
  });

  it("with force, writes into a non-empty directory, keeping other files and an existing .env", () => {
    const target = mkdtempSync(path.join(tmpdir(), "busy-"));
    mkdirSync(path.join(target, "apps/web"), { recursive: true });
    writeFileSync(path.join(target, "notes.txt"), "mine");
    writeFileSync(path.join(target, "apps/web/keep.ts"), "export {};\n");
    writeFileSync(path.join(target, "package.json"), "{}");
    writeFileSync(path.join(target, ".env"), "JWT_PRIVATE_KEY=existing-secret\n");

    const result = scaffoldProject(options(target, { force: true, databaseUrl: "postgresql://db/x" }));
    expect(result).toEqual({ createdRoot: null, envFile: null });
    expect(readFileSync(path.join(target, "notes.txt"), "utf8")).toBe("mine");
    expect(existsSync(path.join(target, "apps/web/keep.ts"))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(target, "package.json"), "utf8")).name).toBe(path.basename(target));
    expect(readFileSync(path.join(target, ".env"), "utf8")).toBe("JWT_PRIVATE_KEY=existing-secret\n");
    expect(readdirSync(path.dirname(target)).filter((name) => name.includes("-creating-"))).toEqual([]);
  });

  it("on Ctrl-C (an aborted signal) leaves nothing: no project, no staging, no created parents", () => {
    const parent = mkdtempSync(path.join(tmpdir(), "parent-"));
    const interrupt = new AbortController();
    interrupt.abort();
    expect(() => scaffoldProject(options(path.join(parent, "new", "shop"), { signal: interrupt.signal }))).toThrow(
      expect.objectContaining({ name: "AbortError" }),
    );
    expect(readdirSync(parent)).toEqual([]);
  });

  it("on a failure while copying leaves nothing behind", () => {
    const parent = mkdtempSync(path.join(tmpdir(), "parent-"));
    const broken = { files: [...manifest.files, { path: "missing.ts", executable: false }] };
    expect(() => scaffoldProject(options(path.join(parent, "shop"), { manifest: broken }))).toThrow(/lacks missing\.ts/);
    expect(readdirSync(parent)).toEqual([]);
  });
});
