// docs/security.md's checker: every requirement row names a test that exists (file, describes, test)
// or says why it does not apply, and no row is left TODO. Plus the scanner's own tests.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./repo-root.ts";
import { checkRequirementRow, listDeclaredTests, parseRequirementRows, type RequirementRow } from "./security-doc.ts";

const DOC = path.join(REPO_ROOT, "docs", "security.md");

function readRepoFile(file: string): string | null {
  const absolute = path.resolve(REPO_ROOT, file);
  if (!absolute.startsWith(REPO_ROOT + path.sep) || !existsSync(absolute)) return null;
  return readFileSync(absolute, "utf8");
}

describe("listDeclaredTests", () => {
  it("finds tests with the describes around them, past strings, comments, regexes and templates", () => {
    const source = [
      'import { describe, it } from "vitest";',
      '// describe("commented out", () => { it("not a test") })',
      'describe("outer", () => {',
      '  const pattern = /"(unbalanced/;',
      "  it('has \"quotes\" and it\\'s fine', () => expect(`${\"(\"}`).toMatch(pattern));",
      '  describe.skip("inner", () => {',
      '    test("deep", async () => { await run(")"); });',
      "  });",
      '  it.each([1, 2])("dynamic %s", () => {});',
      '  it(`template`, () => {});',
      "});",
      'it("top level", () => {});',
    ].join("\n");
    expect(listDeclaredTests(source)).toEqual([
      { describes: ["outer"], name: "has \"quotes\" and it's fine" },
      { describes: ["outer", "inner"], name: "deep" },
      { describes: ["outer"], name: "template" },
      { describes: [], name: "top level" },
    ]);
  });
});

describe("checkRequirementRow", () => {
  const files: Record<string, string> = {
    "a.test.ts": 'describe("group", () => { it("works", () => {}); });',
  };
  const read = (file: string) => files[file] ?? null;
  const row = (proof: string, how = "because"): RequirementRow => ({ id: "X-1", requirement: "a requirement", how, proof, line: 1 });

  it("accepts an existing test in its describe, and a reasoned Not applicable", () => {
    expect(checkRequirementRow(row("`a.test.ts › group › works`"), read)).toEqual([]);
    expect(checkRequirementRow(row("Not applicable"), read)).toEqual([]);
  });

  it("names what is wrong: TODO, a missing file, test or describe, an unreasoned Not applicable, a bad format", () => {
    expect(checkRequirementRow(row("TODO(4a)"), read)).toEqual(["X-1 (line 1): still TODO"]);
    expect(checkRequirementRow(row("`b.test.ts › group › works`"), read)).toEqual(["X-1 (line 1): b.test.ts does not exist"]);
    expect(checkRequirementRow(row("`a.test.ts › group › fails`"), read)).toEqual(['X-1 (line 1): a.test.ts has no test named "fails"']);
    expect(checkRequirementRow(row("`a.test.ts › other › works`"), read)[0]).toMatch(/is not inside other \(found "group › works"\)/);
    expect(checkRequirementRow(row("Not applicable", " "), read)[0]).toMatch(/needs the reason/);
    expect(checkRequirementRow(row("see the tests"), read)[0]).toMatch(/proof must be/);
  });
});

describe("docs/security.md", () => {
  const rows = parseRequirementRows(readFileSync(DOC, "utf8"));

  it("has one row per requirement, each id once", () => {
    expect(rows.length).toBeGreaterThan(50);
    const ids = rows.map((row) => row.id);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it.each(rows.map((row) => [row.id, row] as const))("%s is proven by a test that exists, or does not apply", (_id, row) => {
    expect(checkRequirementRow(row, readRepoFile)).toEqual([]);
  });
});
