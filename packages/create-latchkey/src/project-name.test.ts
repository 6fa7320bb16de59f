import { describe, expect, it } from "vitest";
import { getProjectNameProblem, toProjectName } from "./project-name.ts";

describe("getProjectNameProblem", () => {
  it.each(["my-app", "app2", "a.b_c-d", "x"])("accepts %s", (name) => {
    expect(getProjectNameProblem(name)).toBeNull();
  });

  it.each([
    ["", /Enter a name/],
    ["My-App", /lowercase/],
    ["my app", /URL-safe/],
    [" app", /spaces/],
    [".hidden", /Start with a letter/],
    ["_private", /Start with a letter/],
    ["@acme/app", /without a scope/],
    ["what?", /URL-safe/],
    ["app(1)", /URL-safe/],
    ["node_modules", /reserved/],
    ["fs", /reserved/],
    ["a".repeat(215), /at most 214/],
  ])("rejects %j", (name, problem) => {
    expect(getProjectNameProblem(name)).toMatch(problem);
  });
});

describe("toProjectName", () => {
  it("is the directory's last segment, trailing slash or not", () => {
    expect(toProjectName("projects/my-app")).toBe("my-app");
    expect(toProjectName("projects/my-app/")).toBe("my-app");
    expect(toProjectName("/tmp/x/../shop")).toBe("shop");
  });
});
