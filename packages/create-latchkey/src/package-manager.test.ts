import { describe, expect, it } from "vitest";
import { detectPackageManager, formatPnpmCommand, getPnpmCommand } from "./package-manager.ts";

describe("detectPackageManager", () => {
  it.each([
    ["pnpm/12.4.2 npm/? node/v20.20.2 linux x64", "pnpm"],
    ["npm/10.8.2 node/v20.20.2 linux x64 workspaces/false", "npm"],
    ["yarn/4.5.0 npm/? node/v20.20.2 linux x64", "yarn"],
    ["bun/1.2.0 npm/? node/v22.0.0 linux x64", "bun"],
    ["deno/2.0.0", "pnpm"],
    [undefined, "pnpm"],
  ])("reads %j as %s", (userAgent, expected) => {
    expect(detectPackageManager(userAgent)).toBe(expected);
  });
});

describe("pnpm commands", () => {
  it("runs pnpm itself, or the pinned pnpm through the chosen tool's runner", () => {
    expect(getPnpmCommand("pnpm", "12.4.2")).toEqual(["pnpm"]);
    expect(getPnpmCommand("npm", "12.4.2")).toEqual(["npx", "--yes", "pnpm@12.4.2"]);
    expect(getPnpmCommand("yarn", "12.4.2")).toEqual(["yarn", "dlx", "pnpm@12.4.2"]);
    expect(getPnpmCommand("bun", "12.4.2")).toEqual(["bunx", "pnpm@12.4.2"]);
  });

  it("shows commands as a person would type them", () => {
    expect(formatPnpmCommand("pnpm", "12.4.2", ["dev"])).toBe("pnpm dev");
    expect(formatPnpmCommand("npm", "12.4.2", ["install"])).toBe("npx -y pnpm@12.4.2 install");
  });
});
