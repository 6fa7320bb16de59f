import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isLocalEnvFile, selectTemplateFiles, toStoredPath, transformTemplateFile } from "./template-files.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

describe("selectTemplateFiles", () => {
  const tracked = [
    ".ci/run",
    ".env",
    ".env.example",
    ".env.production",
    ".gitignore",
    "apps/server/src/index.ts",
    "apps/server/src/generated/prisma/client.ts",
    "apps/web/dist/index.html",
    "apps/web/node_modules/x/index.js",
    "artifacts/trace.zip",
    ".data/pglite/PG_VERSION",
    "docs/decisions/001-embedded-database.md",
    "packages/create-latchkey/package.json",
    "packages/create-latchkey/src/cli.ts",
    "packages/create-latchkey-extra/readme.md",
    "packages/bench/package.json",
    "packages/bench/src/bench.ts",
    "pnpm-lock.yaml",
  ];
  // What `git ls-files --cached --ignored --exclude-standard` reports for the template's .gitignore.
  const ignored = new Set([
    ".env",
    "apps/server/src/generated/prisma/client.ts",
    "apps/web/dist/index.html",
    "apps/web/node_modules/x/index.js",
    "artifacts/trace.zip",
    ".data/pglite/PG_VERSION",
  ]);
  const files = selectTemplateFiles({ tracked, ignored });

  it("keeps every tracked file outside packages/, the app's CI included, .env.example and .gitignore", () => {
    expect(files).toEqual([
      ".ci/run",
      ".env.example",
      ".gitignore",
      "apps/server/src/index.ts",
      "docs/decisions/001-embedded-database.md",
      "pnpm-lock.yaml",
    ]);
  });

  it("leaves out the template's own benchmark, its root script and its tests", () => {
    expect(files.filter((file) => file.startsWith("packages/bench/"))).toEqual([]);
    const rootPackage = readFileSync(path.join(REPO_ROOT, "package.json"), "utf8");
    expect(rootPackage).toContain('"bench": ');
    const transformed = transformTemplateFile("package.json", rootPackage, files);
    expect(transformed).not.toContain('"bench"');
    expect(JSON.parse(transformed).scripts.test).toBe(JSON.parse(rootPackage).scripts.test);
    const vitestConfig = transformTemplateFile("vitest.config.ts", readFileSync(path.join(REPO_ROOT, "vitest.config.ts"), "utf8"), files);
    expect(vitestConfig).not.toContain("packages/bench");
    expect(vitestConfig).toContain('"scripts/**/*.test.ts"]');
  });

  it("leaves out packages/ (this package, the benchmark), local env files (ignored or not) and whatever .gitignore matches", () => {
    for (const file of files) {
      expect(file).not.toMatch(/^\.env$|^\.env\.production$|node_modules|^\.data\/|\/dist\/|^artifacts\/|generated|^packages\//);
    }
  });

  it("tells local env files from the example", () => {
    expect([".env", "apps/web/.env.local", ".env.example", "docs/env.md"].map(isLocalEnvFile)).toEqual([true, true, false, false]);
  });
});

describe("toStoredPath", () => {
  it("renames what npm and pnpm leave out of a tarball, anywhere in the tree", () => {
    expect(toStoredPath(".gitignore")).toBe("_gitignore");
    expect(toStoredPath("apps/web/.gitignore")).toBe("apps/web/_gitignore");
    expect(toStoredPath("pnpm-lock.yaml")).toBe("_pnpm-lock.yaml");
    expect(toStoredPath(".npmrc")).toBe("_npmrc");
    expect(toStoredPath("apps/server/src/routers/_app.ts")).toBe("apps/server/src/routers/_app.ts");
    expect(toStoredPath(".env.example")).toBe(".env.example");
  });
});

describe("transformTemplateFile", () => {
  it("drops packages/* from the workspace when the template has no packages", () => {
    const workspace = "packages:\n  - apps/*\n  - packages/*\n\ncatalog:\n  zod: 4.6.7\n";
    expect(transformTemplateFile("pnpm-workspace.yaml", workspace, ["apps/server/package.json"])).toBe(
      "packages:\n  - apps/*\n\ncatalog:\n  zod: 4.6.7\n",
    );
    expect(transformTemplateFile("pnpm-workspace.yaml", workspace, ["packages/shared/package.json"])).toBe(workspace);
  });

  it("removes this package's vitest project from the repository's vitest.config.ts and nothing else", () => {
    const config = readFileSync(path.join(REPO_ROOT, "vitest.config.ts"), "utf8");
    expect(config).toContain("packages/create-latchkey");
    const transformed = transformTemplateFile("vitest.config.ts", config, []);
    expect(transformed).not.toContain("create-latchkey");
    for (const project of ["server", "web", "e2e"]) expect(transformed).toContain(`name: "${project}"`);
    // Whole blocks only: the braces still balance.
    expect(transformed.split("{").length).toBe(transformed.split("}").length);
  });

  it("drops the README's passages about the create package itself", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    expect(readme).toContain("packages/create-latchkey");
    const transformed = transformTemplateFile("README.md", readme, []);
    expect(transformed).not.toContain("create-latchkey");
    expect(transformed).not.toContain("template-only");
    expect(transformed).toContain("## HTTPS mode");
  });

  it("keeps the template's screenshots out of a new app's README, which still says where its own are", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const images = (text: string) => [...text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((match) => match[1]!);
    // The template shows pictures of itself, kept in packages/ so that no app is sent them (docs/decisions/033).
    expect(images(readme).length).toBeGreaterThan(0);
    for (const image of images(readme)) {
      expect(image).toMatch(/^packages\/create-latchkey\/screenshots\/.+\.png$/);
      expect(existsSync(path.join(REPO_ROOT, image)), image).toBe(true);
    }
    const transformed = transformTemplateFile("README.md", readme, []);
    expect(images(transformed)).toEqual([]);
    expect(transformed).toContain("## Screenshots");
    expect(transformed).toContain("`artifacts/e2e/`");
  });

  it("leaves other files alone", () => {
    expect(transformTemplateFile("tsconfig.json", "  - packages/*\n", [])).toBe("  - packages/*\n");
  });
});
