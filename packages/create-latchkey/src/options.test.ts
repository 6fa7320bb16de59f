import { describe, expect, it } from "vitest";
import { getDatabaseUrlProblem, parseCliArgs, UsageError } from "./options.ts";

describe("parseCliArgs", () => {
  it("leaves everything to the questions when given nothing", () => {
    expect(parseCliArgs([])).toEqual({
      targetDir: null,
      name: null,
      yes: false,
      packageManager: null,
      databaseUrl: null,
      install: null,
      git: null,
      force: false,
      help: false,
      version: false,
    });
  });

  it("reads every flag", () => {
    const options = parseCliArgs([
      "my-app",
      "--yes",
      "--name",
      "acme-notes",
      "--pm",
      "npm",
      "--database-url",
      "postgresql://app:secret@db.internal:5432/app",
      "--no-install",
      "--no-git",
      "--force",
    ]);
    expect(options).toMatchObject({
      targetDir: "my-app",
      name: "acme-notes",
      yes: true,
      packageManager: "npm",
      databaseUrl: "postgresql://app:secret@db.internal:5432/app",
      install: false,
      git: false,
      force: true,
    });
    expect(parseCliArgs(["-y", "--pm=bun"])).toMatchObject({ yes: true, packageManager: "bun" });
    expect(() => parseCliArgs(["my-app", "--name", "Acme Notes"])).toThrow('--name "Acme Notes" cannot name a project: Use lowercase letters only');
  });

  it.each([
    [["--pm", "cargo"], /--pm must be one of pnpm, npm, yarn, bun; got "cargo"/],
    [["--database-url", "mysql://localhost/app"], /--database-url: Enter a PostgreSQL URL/],
    [["--colour"], /Unknown option '--colour'[\s\S]*--help/],
    [["--pm"], /argument missing/],
    [["one", "two"], /Expected one directory, got 2/],
  ])("rejects %j with a clear message", (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe("getDatabaseUrlProblem", () => {
  it("accepts postgres:// and postgresql:// URLs only", () => {
    expect(getDatabaseUrlProblem("postgres://localhost/app")).toBeNull();
    expect(getDatabaseUrlProblem("postgresql://u:p@localhost:5432/app?sslmode=require")).toBeNull();
    expect(getDatabaseUrlProblem("localhost:5432")).toMatch(/PostgreSQL URL/);
    expect(getDatabaseUrlProblem("postgresql://")).toBeNull();
  });
});
