import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureEnvFile, GENERATED_PLACEHOLDER, renderEnvFile } from "./env-file.ts";

const EXAMPLE = `# Signing key.\nJWT_PRIVATE_KEY=${GENERATED_PLACEHOLDER}\n# PORT=3000\nHOST=127.0.0.1\n`;
let counter = 0;
const generators = { JWT_PRIVATE_KEY: () => `secret-${++counter}` };

describe("renderEnvFile", () => {
  it("fills marked variables with fresh values and copies every other line", () => {
    const { text, generated } = renderEnvFile(EXAMPLE, generators);
    expect(generated).toEqual(["JWT_PRIVATE_KEY"]);
    expect(text).toMatch(/^JWT_PRIVATE_KEY=secret-\d+$/m);
    expect(text.replace(/^JWT_PRIVATE_KEY=.*$/m, "")).toBe(EXAMPLE.replace(/^JWT_PRIVATE_KEY=.*$/m, ""));
  });

  it("refuses a marked variable without a generator", () => {
    expect(() => renderEnvFile(`API_SECRET=${GENERATED_PLACEHOLDER}\n`, generators)).toThrow(/API_SECRET/);
  });
});

describe("ensureEnvFile", () => {
  let dir: string;
  let files: { envFile: string; exampleFile: string };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "latchkey-env-"));
    files = { envFile: path.join(dir, ".env"), exampleFile: path.join(dir, ".env.example") };
    writeFileSync(files.exampleFile, EXAMPLE);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates a private .env with generated secrets when there is none", () => {
    const result = ensureEnvFile({ ...files, generators });
    expect(result).toMatchObject({ created: true, generated: ["JWT_PRIVATE_KEY"] });
    expect(readFileSync(files.envFile, "utf8")).toMatch(/^JWT_PRIVATE_KEY=secret-\d+$/m);
    expect(statSync(files.envFile).mode & 0o077).toBe(0);
  });

  it("keeps an existing .env's lines and adds only the generated secrets it lacks", () => {
    writeFileSync(files.envFile, "HOST=0.0.0.0\n");
    expect(ensureEnvFile({ ...files, generators })).toMatchObject({ created: false, generated: ["JWT_PRIVATE_KEY"] });
    const text = readFileSync(files.envFile, "utf8");
    expect(text.startsWith("HOST=0.0.0.0\n")).toBe(true);
    expect(text).toMatch(/^JWT_PRIVATE_KEY=secret-\d+$/m);

    expect(ensureEnvFile({ ...files, generators })).toMatchObject({ created: false, generated: [] });
    expect(readFileSync(files.envFile, "utf8")).toBe(text);
  });
});
