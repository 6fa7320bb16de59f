import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./repo-root.ts";
import {
  APP_ROUTER_FILE,
  APP_SHELL_FILE,
  getFeatureNameProblem,
  planRouterFeature,
  SCHEMA_FILE,
  toFeatureNames,
  WEB_APP_FILE,
} from "./router-generator.ts";

function readRepo(file: string): string | null {
  const absolute = path.join(REPO_ROOT, file);
  return existsSync(absolute) ? readFileSync(absolute, "utf8") : null;
}

describe("toFeatureNames", () => {
  it("derives every spelling from a kebab-case name", () => {
    expect(toFeatureNames("reading-list")).toEqual({
      kebab: "reading-list",
      camel: "readingList",
      pascal: "ReadingList",
      constant: "READING_LIST",
      words: "reading list",
      pluralKebab: "reading-lists",
      pluralCamel: "readingLists",
      pluralPascal: "ReadingLists",
      pluralTitle: "Reading lists",
    });
    expect(toFeatureNames("category").pluralKebab).toBe("categories");
    expect(toFeatureNames("box").pluralCamel).toBe("boxes");
    expect(toFeatureNames("day").pluralCamel).toBe("days");
  });
});

describe("getFeatureNameProblem", () => {
  it.each(["bookmark", "reading-list", "todo2"])("accepts %s", (name) => {
    expect(getFeatureNameProblem(name)).toBeNull();
  });

  it.each(["Bookmark", "reading_list", "2fa", "-x", "a--b", "a-", "", "x.y"])("rejects the invalid identifier %j", (name) => {
    expect(getFeatureNameProblem(name)).toMatch(/is not a feature name/);
  });

  it.each(["delete", "class", "then", "string", "prisma", "date-time"])("rejects the reserved word %s", (name) => {
    expect(getFeatureNameProblem(name)).toMatch(/reserved word/);
  });
});

// A name no project is likely to have: these tests also run in apps made from the template.
const NAME = "gen-probe";

describe("planRouterFeature on this repository", () => {
  it("plans the router, its test and registration, the model with its back-relation, and the page with route and link", () => {
    const plan = planRouterFeature(NAME, [], readRepo);
    if (!plan.ok) throw new Error(plan.problems.join("\n"));
    const byPath = Object.fromEntries(plan.changes.map((change) => [change.path, change]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        "apps/server/src/routers/gen-probe.test.ts",
        "apps/server/src/routers/gen-probe.ts",
        APP_ROUTER_FILE,
        SCHEMA_FILE,
        "apps/web/src/features/gen-probes/gen-probes-page.test.tsx",
        "apps/web/src/features/gen-probes/gen-probes-page.tsx",
        WEB_APP_FILE,
        APP_SHELL_FILE,
      ].sort(),
    );
    const router = byPath["apps/server/src/routers/gen-probe.ts"]!.content;
    for (const procedure of ["list", "byId", "create", "update", "delete"]) expect(router).toContain(`  ${procedure}: verifiedProcedure`);
    expect(router).toContain("const genProbeFields = z.object({");
    expect(byPath[APP_ROUTER_FILE]!.content).toMatch(/import \{ genProbeRouter \} from "\.\/gen-probe\.ts";[\s\S]*  genProbe: genProbeRouter,\n\}\);/);
    const schema = byPath[SCHEMA_FILE]!.content;
    expect(schema).toMatch(/model User \{[^}]*\n  genProbes +GenProbe\[\]\n/);
    expect(schema).toMatch(/model GenProbe \{[\s\S]*owner +User +@relation\(fields: \[ownerId\], references: \[id\], onDelete: Cascade\)/);
    expect(schema).toContain("// Gen probes of a user (`pnpm gen router gen-probe`).");
    // After the last signed-in route (the template's /admin, or one generated before in a new
    // app), just before the catch-all, and loaded as its own chunk.
    expect(byPath[WEB_APP_FILE]!.content).toMatch(
      /layout: SignedInLayout, lazy: .*\n {2}\{ path: "\/gen-probes", layout: SignedInLayout, lazy: async \(\) => \(await import\("\.\/features\/gen-probes\/gen-probes-page\.tsx"\)\)\.GenProbesPage \},\n {2}\{ path: "\*"/,
    );
    // Before Admin, which stays the last link.
    expect(byPath[APP_SHELL_FILE]!.content).toMatch(/<NavLink to="\/gen-probes">Gen probes<\/NavLink>\n\s*\{isAdmin && <NavLink to="\/admin">/);
    // Every edit only adds lines: the file as it was is still there, in order.
    for (const change of plan.changes.filter((candidate) => !candidate.created)) {
      const after = change.content.split("\n");
      let next = 0;
      for (const line of readRepo(change.path)!.trimEnd().split("\n")) {
        next = after.indexOf(line, next) + 1;
        expect(next, `${change.path} lost "${line}"`).toBeGreaterThan(0);
      }
    }
  });

  it("writes the fields through the model, the zod schema, the router's select, the page and both tests", () => {
    const plan = planRouterFeature(NAME, ["title:string", "url:string?", "done:boolean", "stars:int?"], readRepo);
    if (!plan.ok) throw new Error(plan.problems.join("\n"));
    const content = (suffix: string) => plan.changes.find((change) => change.path.endsWith(suffix))!.content;
    expect(content(SCHEMA_FILE)).toMatch(
      /model GenProbe \{\n[\s\S]*\n  title +String\n  url +String\?\n  done +Boolean +@default\(false\)\n  stars +Int\?\n  createdAt +DateTime/,
    );
    const router = content("routers/gen-probe.ts");
    expect(router).toContain("{ id: true, title: true, url: true, done: true, stars: true, createdAt: true, updatedAt: true }");
    expect(router).toContain('  title: z.string().trim().min(1, "Give the gen probe a title.").max(200),');
    expect(router).toContain("  url: z.string().trim().max(200).nullish().transform((value) => value || null),");
    expect(router).toContain("  done: z.boolean().default(false),");
    expect(router).toContain("  stars: z.number().int().nullish().transform((value) => value ?? null),");
    expect(content("routers/gen-probe.test.ts")).toContain('create({ title: "First title", url: "First url", done: true, stars: 3 })');
    const page = content("gen-probes-page.tsx");
    expect(page).toContain('<FormField label="Url" name="url" error={getFieldErrors(create.error).url} />');
    expect(page).toContain('<FormField label="Stars" name="stars" type="number" error={getFieldErrors(create.error).stars} />');
    expect(page).toContain('<input type="checkbox" name="done" /> Done');
    expect(page).toContain('    stars: data.get("stars") ? Number(data.get("stars")) : null,');
    expect(content("gen-probes-page.test.tsx")).toContain('toEqual([{ title: "First", url: null, done: false, stars: null }])');
  });

  it("refuses bad fields with every reason", () => {
    const plan = planRouterFeature(NAME, ["title:text", "Url:string", "id:string", "done:boolean", "done:int", "note"], readRepo);
    expect(!plan.ok && plan.problems).toEqual([
      '"title:text": the type must be one of string, int, float, boolean.',
      '"Url:string" is not a field: write name:type or name:type? (e.g. title:string, url:string?, done:boolean).',
      '"id:string": id is made for every feature already; choose another field name.',
      '"done:int": done is given twice.',
      '"note" is not a field: write name:type or name:type? (e.g. title:string, url:string?, done:boolean).',
    ]);
    const unnamed = planRouterFeature(NAME, ["url:string?", "done:boolean"], readRepo);
    expect(!unnamed.ok && unnamed.problems).toEqual(["Give at least one required string field, e.g. title:string: it names each item in the list."]);
  });

  it("refuses an existing feature with every reason", () => {
    const plan = planRouterFeature("note", [], readRepo);
    expect(plan.ok).toBe(false);
    expect(!plan.ok && plan.problems).toEqual(
      expect.arrayContaining([
        "apps/server/src/routers/note.ts already exists.",
        `${APP_ROUTER_FILE} already has a "note" router.`,
        `${SCHEMA_FILE} already has a Note model or type.`,
      ]),
    );
  });

  it("refuses a name whose model, type or User field exists even without a router", () => {
    const read = (extra: string) => (file: string) => (file === SCHEMA_FILE ? `${readRepo(file)}\n${extra}\n` : readRepo(file));
    const enumClash = planRouterFeature("session-kind", [], readRepo);
    expect(!enumClash.ok && enumClash.problems).toEqual([`${SCHEMA_FILE} already has a SessionKind model or type.`]);
    const modelClash = planRouterFeature("tag", [], read("model Tag {\n  id String @id\n}"));
    expect(!modelClash.ok && modelClash.problems).toEqual([`${SCHEMA_FILE} already has a Tag model or type.`]);
    const withField = (file: string) => (file === SCHEMA_FILE ? readRepo(file)!.replace("model User {\n", "model User {\n  tags String[]\n") : readRepo(file));
    const fieldClash = planRouterFeature("tag", [], withField);
    expect(!fieldClash.ok && fieldClash.problems).toEqual([`The User model in ${SCHEMA_FILE} already has a field "tags".`]);
  });

  it("makes only the server side when there is no web app", () => {
    const plan = planRouterFeature(NAME, [], (file) => (file.startsWith("apps/web/") ? null : readRepo(file)));
    expect(plan.ok && plan.changes.map((change) => change.path).filter((file) => file.startsWith("apps/web/"))).toEqual([]);
  });

  it("says where it could not register the router instead of guessing", () => {
    const plan = planRouterFeature(NAME, [], (file) => (file === APP_ROUTER_FILE ? "export const appRouter = {};\n" : readRepo(file)));
    expect(!plan.ok && plan.problems).toEqual([expect.stringContaining(`Cannot find the router imports`)]);
  });
});

describe("pnpm gen router", () => {
  it("refuses a bad field with a clear message and changes no file", () => {
    const touched = [APP_ROUTER_FILE, SCHEMA_FILE, WEB_APP_FILE, APP_SHELL_FILE].map((file) => [file, readRepo(file)]);
    const result = spawnSync(path.join(REPO_ROOT, "node_modules/.bin/tsx"), ["scripts/gen-router.ts", "router", NAME, "when:date"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Nothing was changed: "when:date": the type must be one of string, int, float, boolean.');
    expect(touched.map(([file]) => [file, readRepo(file!)])).toEqual(touched);
    expect(existsSync(path.join(REPO_ROOT, "apps/server/src/routers/gen-probe.ts"))).toBe(false);
  });

  it("refuses a clashing name with a clear message and changes no file", () => {
    const touched = [APP_ROUTER_FILE, SCHEMA_FILE, WEB_APP_FILE, APP_SHELL_FILE].map((file) => [file, readRepo(file)]);
    const result = spawnSync(path.join(REPO_ROOT, "node_modules/.bin/tsx"), ["scripts/gen-router.ts", "router", "note"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Nothing was changed:[\s\S]*already has a "note" router/);
    expect(touched.map(([file]) => [file, readRepo(file!)])).toEqual(touched);
  });

  it("explains its usage for an unknown generator or a missing name", () => {
    for (const args of [["widget", "x"], ["router"]]) {
      const result = spawnSync(path.join(REPO_ROOT, "node_modules/.bin/tsx"), ["scripts/gen-router.ts", ...args], { cwd: REPO_ROOT, encoding: "utf8" });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("Usage: pnpm gen router <name> [field:type …]");
    }
  });
});
