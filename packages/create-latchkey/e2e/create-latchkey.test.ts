// create-latchkey end to end, from the packed tarball: bad input changes nothing; a scaffolded
// app installs from the local package store, typechecks, passes its tests, grows a router with
// `pnpm gen router`, migrates, builds, starts and signs a seeded user in over HTTP.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../../../scripts/lib/embedded-database.ts";
import { DEMO_PASSWORD, DEMO_USERS } from "../../../scripts/lib/demo-users.ts";
import { toStoredPath, type TemplateManifest } from "../src/template-files.ts";
import { createCleanEnv, packPackage, REPO_ROOT, run, type PackedPackage } from "./packed-package.ts";

const STANDIN_ENGINE = path.resolve(REPO_ROOT, "..", "shared", "prisma-engine", "schema-engine");
const NOBODY = 65_534;
const STEP_TIMEOUT_MS = 10 * 60_000;
const APP_ORIGIN = "http://localhost:5173";

let packed: PackedPackage;
const tempDirs: string[] = [];
beforeAll(async () => {
  packed = await packPackage();
  tempDirs.push(packed.workDir);
}, 120_000);
// Deleting an installed app (tens of thousands of files) takes longer than the default 10 s hook
// time-out on a busy machine.
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}, 120_000);

function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; uid?: number; onOutput?: (output: string) => void }) {
  return run(process.execPath, [path.join(packed.dir, "dist", "cli.js"), ...args], {
    cwd: options.cwd,
    env: options.env ?? createCleanEnv(),
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
    onOutput: options.onOutput,
  });
}

function createParent(): string {
  const parent = mkdtempSync(path.join(tmpdir(), "create-latchkey-e2e-"));
  tempDirs.push(parent);
  chmodSync(parent, 0o755);
  return parent;
}

/** A stand-in `pnpm` first on PATH, so the install can be failed or interrupted on purpose. */
function createFakePnpm(script: string): NodeJS.ProcessEnv {
  const bin = mkdtempSync(path.join(tmpdir(), "fake-pnpm-"));
  tempDirs.push(bin);
  writeFileSync(path.join(bin, "pnpm"), `#!${process.execPath}\n${script}\n`, { mode: 0o755 });
  return createCleanEnv({ PATH: `${bin}${path.delimiter}${process.env.PATH}` });
}

describe("the packed package", () => {
  it("holds the CLI and every template file, secrets and this package left out", () => {
    const manifest = JSON.parse(readFileSync(path.join(packed.dir, "dist", "template.json"), "utf8")) as TemplateManifest;
    const paths = manifest.files.map((file) => file.path);
    for (const file of paths) expect(packed.files).toContain(`dist/template/${toStoredPath(file)}`);
    expect(packed.files).toContain("dist/cli.js");
    expect(paths).toEqual(expect.arrayContaining([".gitignore", ".env.example", "pnpm-lock.yaml", "package.json", "apps/server/package.json", "apps/web/package.json", "prisma/schema.prisma"]));
    expect(paths.filter((file) => /(^|\/)\.env$|node_modules|^\.ci\/|^packages\/|(^|\/)dist\/|^\.data\//.test(file))).toEqual([]);
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

// The run on real PostgreSQL (CI's second pass) skips this: the new project tests itself on its
// own embedded database either way, so a second pass would only repeat the same minutes.
describe.skipIf(Boolean(process.env.DATABASE_URL))("a new app, end to end", () => {
  const timings: Array<[string, number]> = [];
  let projectDir: string;
  let env: NodeJS.ProcessEnv;
  let database: EmbeddedDatabase | null = null;

  async function step(label: string, command: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
    const started = performance.now();
    const result = await run(command, args, { cwd: projectDir, env: { ...env, ...extraEnv } });
    timings.push([label, performance.now() - started]);
    expect(result.code, `${label} failed:\n${result.output.slice(-6000)}`).toBe(0);
    return result.output;
  }

  beforeAll(() => {
    // On machines without Prisma's download host the schema engine stand-in beside this repo is used (docs/decisions/002).
    const engine = !process.env.PRISMA_SCHEMA_ENGINE_BINARY && existsSync(STANDIN_ENGINE) ? { PRISMA_SCHEMA_ENGINE_BINARY: STANDIN_ENGINE } : {};
    env = createCleanEnv(engine);
    projectDir = path.join(createParent(), "shop");
  });

  afterAll(async () => {
    await database?.stop();
    const total = timings.reduce((sum, [, ms]) => sum + ms, 0);
    console.log(["create-latchkey e2e timings:", ...timings.map(([label, ms]) => `  ${label}: ${(ms / 1000).toFixed(1)} s`), `  total: ${(total / 1000).toFixed(1)} s`].join("\n"));
  });

  it("scaffolds, installs from the package store and commits", async () => {
    const started = performance.now();
    const result = await runCli([projectDir, "--yes", "--pm", "pnpm"], { cwd: path.dirname(projectDir), env });
    timings.push(["scaffold + install + git (create-latchkey --yes)", performance.now() - started]);
    expect(result.code, result.output.slice(-6000)).toBe(0);
    expect(result.output).toMatch(/Next steps[\s\S]*cd shop[\s\S]*pnpm dev[\s\S]*pnpm test/);
    expect(readFileSync(path.join(projectDir, "README.md"), "utf8")).toMatch(/^# shop\n/);

    expect(JSON.parse(readFileSync(path.join(projectDir, "package.json"), "utf8")).name).toBe("shop");
    expect(JSON.parse(readFileSync(path.join(projectDir, "apps/server/package.json"), "utf8")).name).toBe("@shop/server");
    expect(existsSync(path.join(projectDir, "packages"))).toBe(false);
    expect(existsSync(path.join(projectDir, ".ci"))).toBe(false);
    const dotEnv = parseEnv(readFileSync(path.join(projectDir, ".env"), "utf8"));
    expect(JSON.stringify(dotEnv)).not.toContain("<generated");
    // Fresh secrets: never the ones of the repository this package was packed from.
    const sourceEnvFile = path.join(REPO_ROOT, ".env");
    if (existsSync(sourceEnvFile)) {
      const sourceEnv = parseEnv(readFileSync(sourceEnvFile, "utf8"));
      for (const [name, value] of Object.entries(dotEnv)) if (/KEY|SECRET/.test(name)) expect(value).not.toBe(sourceEnv[name]);
    }

    const git = (...args: string[]) => run("git", args, { cwd: projectDir, env });
    expect((await git("log", "--format=%s")).output.trim()).toBe("Initial commit from create-latchkey");
    expect((await git("status", "--porcelain")).output).toBe("");
    const committed = (await git("ls-files")).output.split("\n");
    expect(committed).toContain("pnpm-lock.yaml");
    expect(committed).not.toContain(".env");
  }, STEP_TIMEOUT_MS);

  it("typechecks and passes its server tests", async () => {
    await step("typecheck", "pnpm", ["typecheck"]);
    const output = await step("pnpm test --project server", "pnpm", ["test", "--project", "server"]);
    expect(output).toMatch(/^\d+ passed, 0 failed$/m);
  }, STEP_TIMEOUT_MS);

  it("grows a bookmark router with `pnpm gen router`, migrates, typechecks and passes every test", async () => {
    await step("pnpm gen router bookmark", "pnpm", ["gen", "router", "bookmark"]);
    database = await startEmbeddedDatabase({ dataDir: null, port: 0, shadowPort: 0 });
    const databaseEnv = { DATABASE_URL: database.url, SHADOW_DATABASE_URL: database.shadowUrl! };
    await step("pnpm prisma migrate dev --name add-bookmark", "pnpm", ["prisma", "migrate", "dev", "--name", "add-bookmark"], databaseEnv);
    const migrations = readdirSync(path.join(projectDir, "prisma/migrations"));
    const added = migrations.find((name) => name.endsWith("_add_bookmark"));
    expect(added, migrations.join(", ")).toBeDefined();
    expect(readFileSync(path.join(projectDir, "prisma/migrations", added!, "migration.sql"), "utf8")).toContain('CREATE TABLE "Bookmark"');

    await step("typecheck (with bookmark)", "pnpm", ["typecheck"]);
    const output = await step("pnpm test (every project, with bookmark)", "pnpm", ["test"]);
    expect(output).toContain("bookmark.test.ts");
    expect(output).toMatch(/^\d+ passed, 0 failed$/m);
    await step("pnpm db:seed", "pnpm", ["db:seed"], databaseEnv);
  }, STEP_TIMEOUT_MS);

  it("builds, starts, and signs a seeded user in over HTTP", async () => {
    await step("pnpm build", "pnpm", ["build"]);
    const dotEnv = parseEnv(readFileSync(path.join(projectDir, ".env"), "utf8"));
    const server = run(process.execPath, ["apps/server/dist/index.js"], {
      cwd: projectDir,
      // Production needs a mail server (SMTP_URL); signing in mails nothing, so none listens here.
      env: {
        ...env,
        ...dotEnv,
        NODE_ENV: "production",
        DATABASE_URL: database!.url,
        HOST: "127.0.0.1",
        PORT: "0",
        APP_ORIGIN,
        WEB_DIST_DIR: "apps/web/dist",
        SMTP_URL: "smtp://127.0.0.1:9",
      },
    });
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("the server did not start in 30 s")), 30_000);
        server.child.stdout!.on("data", (chunk: Buffer) => {
          const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
      });
      const home = await fetch(baseUrl);
      expect(home.status).toBe(200);
      expect(await home.text()).toContain('<div id="root">');

      const ada = DEMO_USERS[0]!;
      const signIn = await fetch(`${baseUrl}/trpc/auth.signIn`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: APP_ORIGIN },
        body: JSON.stringify({ email: ada.email, password: DEMO_PASSWORD }),
      });
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.getSetCookie()[0]!.split(";")[0]!;
      const headers = { cookie, origin: APP_ORIGIN, "content-type": "application/json" };

      const me = (await (await fetch(`${baseUrl}/trpc/auth.me`, { headers })).json()) as { result: { data: { user: { email: string } } } };
      expect(me.result.data.user.email).toBe(ada.email);
      const notes = (await (await fetch(`${baseUrl}/trpc/note.list`, { headers })).json()) as { result: { data: unknown[] } };
      expect(notes.result.data).toHaveLength(ada.notes.length);

      const created = await fetch(`${baseUrl}/trpc/bookmark.create`, { method: "POST", headers, body: JSON.stringify({ title: "latchkey" }) });
      expect(created.status).toBe(200);
      const bookmarks = (await (await fetch(`${baseUrl}/trpc/bookmark.list`, { headers })).json()) as { result: { data: Array<{ title: string }> } };
      expect(bookmarks.result.data.map((bookmark) => bookmark.title)).toEqual(["latchkey"]);
    } finally {
      server.child.kill("SIGTERM");
      await server;
    }
  }, STEP_TIMEOUT_MS);
});
