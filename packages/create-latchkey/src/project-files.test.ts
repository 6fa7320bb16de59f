import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyTemplate, readPnpmVersion, renameProject, renameText, retitleReadme } from "./project-files.ts";

function writeFiles(root: string, files: Record<string, string | Buffer>) {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
}

describe("copyTemplate", () => {
  it("restores stored names and executable bits", () => {
    const template = mkdtempSync(path.join(tmpdir(), "template-"));
    const project = mkdtempSync(path.join(tmpdir(), "project-"));
    writeFiles(template, { _gitignore: "node_modules/\n", "_pnpm-lock.yaml": "lockfileVersion: '9.0'\n", "bin/run": "#!/bin/sh\n" });
    copyTemplate(
      template,
      {
        files: [
          { path: ".gitignore", executable: false },
          { path: "pnpm-lock.yaml", executable: false },
          { path: "bin/run", executable: true },
        ],
      },
      project,
    );
    expect(readFileSync(path.join(project, ".gitignore"), "utf8")).toBe("node_modules/\n");
    expect(readFileSync(path.join(project, "pnpm-lock.yaml"), "utf8")).toContain("lockfileVersion");
    expect(statSync(path.join(project, "bin/run")).mode & 0o111).not.toBe(0);
  });

  it("says the package is incomplete when a template file is missing", () => {
    const template = mkdtempSync(path.join(tmpdir(), "template-"));
    expect(() => copyTemplate(template, { files: [{ path: "package.json", executable: false }] }, tmpdir())).toThrow(
      /incomplete: its template lacks package.json/,
    );
  });
});

describe("renameProject", () => {
  it("renames the root package, the workspace packages, their imports and the lockfile's links", () => {
    const project = mkdtempSync(path.join(tmpdir(), "project-"));
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x40, 0x6c, 0x61]);
    writeFiles(project, {
      "package.json": JSON.stringify({ name: "latchkey", private: true, packageManager: "pnpm@12.4.2" }, null, 2),
      "apps/web/package.json": JSON.stringify({ name: "@latchkey/web", devDependencies: { "@latchkey/server": "workspace:*" } }),
      "apps/web/src/lib/trpc.ts": 'import type { AppRouter } from "@latchkey/server";\n',
      "pnpm-lock.yaml": "  apps/web:\n    devDependencies:\n      '@latchkey/server':\n        specifier: workspace:*\n        version: link:../server\n",
      "apps/web/public/logo.png": png,
      "apps/server/src/auth/cookie.ts": 'const COOKIE = "latchkey_session";\n',
      "apps/cli/bin/latchkey.js": "// The `latchkey` command.\n",
    });
    const files = [
      "package.json",
      "apps/web/package.json",
      "apps/web/src/lib/trpc.ts",
      "pnpm-lock.yaml",
      "apps/web/public/logo.png",
      "apps/server/src/auth/cookie.ts",
      "apps/cli/bin/latchkey.js",
    ];
    renameProject(project, files, "shop");

    const read = (file: string) => readFileSync(path.join(project, file), "utf8");
    expect(JSON.parse(read("package.json"))).toEqual({ name: "shop", private: true, packageManager: "pnpm@12.4.2" });
    expect(JSON.parse(read("apps/web/package.json"))).toEqual({ name: "@shop/web", devDependencies: { "@shop/server": "workspace:*" } });
    expect(read("apps/web/src/lib/trpc.ts")).toBe('import type { AppRouter } from "@shop/server";\n');
    expect(read("pnpm-lock.yaml")).toContain("'@shop/server':\n        specifier: workspace:*");
    expect(read("apps/server/src/auth/cookie.ts")).toBe('const COOKIE = "shop_session";\n');
    expect(read("apps/cli/bin/shop.js")).toBe("// The `shop` command.\n");
    expect(existsSync(path.join(project, "apps/cli/bin/latchkey.js"))).toBe(false);
    // Binary files keep their bytes.
    expect(readFileSync(path.join(project, "apps/web/public/logo.png"))).toEqual(png);
    expect(readPnpmVersion(project)).toBe("12.4.2");
  });
});

describe("renameText", () => {
  it("uses the spelling each place needs and leaves create-latchkey alone", () => {
    const text = [
      "<title>latchkey</title>",
      'import type { AppRouter } from "@latchkey/server";',
      "Cookie: latchkey_session=…; __Host-latchkey_session",
      "LATCHKEY_CONFIG_DIR=~/.config/latchkey",
      "DATABASE_URL=postgresql://localhost/latchkey_dev",
      "Created with create-latchkey.",
    ].join("\n");
    expect(renameText(text, "acme-notes").split("\n")).toEqual([
      "<title>acme-notes</title>",
      'import type { AppRouter } from "@acme-notes/server";',
      "Cookie: acme_notes_session=…; __Host-acme_notes_session",
      "ACME_NOTES_CONFIG_DIR=~/.config/acme-notes",
      "DATABASE_URL=postgresql://localhost/acme_notes_dev",
      "Created with create-latchkey.",
    ]);
    expect(renameText("my.app uses latchkey_ and LATCHKEY", "my.app")).toBe("my.app uses my_app_ and MY_APP");
  });
});

describe("retitleReadme", () => {
  it("names the project in the title and says where it came from, keeping the rest", () => {
    const project = mkdtempSync(path.join(tmpdir(), "project-"));
    writeFiles(project, { "README.md": "# latchkey\n\nA starter.\n\n## Commands\n" });
    retitleReadme(project, "shop");
    expect(readFileSync(path.join(project, "README.md"), "utf8")).toBe(
      "# shop\n\nCreated with `create-latchkey` from the latchkey template; what follows describes the template as you got it.\n\nA starter.\n\n## Commands\n",
    );
  });
});
