import { describe, expect, it } from "vitest";
import { buildSignInPath, sanitizeNextPath } from "./next-path.ts";

describe("sanitizeNextPath", () => {
  it.each(["/notes", "/sessions?tab=all", "/", "/account#password"])("keeps the in-app path %s", (path) => {
    expect(sanitizeNextPath(path)).toBe(path);
  });

  it.each([
    "//evil.com",
    "https://evil.com",
    "/\\evil.com",
    "/\\/evil.com",
    "\\\\evil.com",
    "/\t/evil.com",
    "/.//evil.com",
    "/%2e//evil.com",
    "//[",
    "javascript:alert(1)",
    "notes",
    "",
    null,
  ])("replaces %j with /", (raw) => {
    expect(sanitizeNextPath(raw)).toBe("/");
  });
});

describe("buildSignInPath", () => {
  it("puts the reason first and leaves out a next of /", () => {
    expect(buildSignInPath({ next: "/sessions", reason: "expired" })).toBe("/sign-in?reason=expired&next=%2Fsessions");
    expect(buildSignInPath({ next: "/" })).toBe("/sign-in");
  });
});
