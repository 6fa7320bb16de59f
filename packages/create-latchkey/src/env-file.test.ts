import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "node:util";
import { GENERATED_PLACEHOLDER } from "../../../scripts/lib/env-file.ts";
import { setDatabaseUrl, writeEnvFile } from "./env-file.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");

describe("setDatabaseUrl", () => {
  const example = "# PostgreSQL URL.\n# DATABASE_URL=postgresql://postgres@127.0.0.1:5432/latchkey_dev\n\n# PORT=3000\n";

  it("turns the commented-out example into the setting", () => {
    expect(setDatabaseUrl(example, "postgresql://app@db:5432/app")).toBe(
      "# PostgreSQL URL.\nDATABASE_URL=postgresql://app@db:5432/app\n\n# PORT=3000\n",
    );
  });

  it("quotes a URL that a .env parser would cut (a # in the password)", () => {
    const text = setDatabaseUrl(example, "postgresql://app:p#ss word@db/app");
    expect(parseEnv(text).DATABASE_URL).toBe("postgresql://app:p#ss word@db/app");
    expect(parseEnv(setDatabaseUrl(example, "postgres://u:p@db:5432/app?sslmode=require")).DATABASE_URL).toBe(
      "postgres://u:p@db:5432/app?sslmode=require",
    );
  });

  it("appends the setting when the example has no DATABASE_URL line", () => {
    expect(setDatabaseUrl("# PORT=3000\n", "postgres://db/app")).toBe("# PORT=3000\nDATABASE_URL=postgres://db/app\n");
  });
});

describe("writeEnvFile", () => {
  it("writes the template's .env.example with fresh secrets, owner-only, and DATABASE_URL", () => {
    const example = readFileSync(path.join(REPO_ROOT, ".env.example"), "utf8");
    const write = () => {
      const project = mkdtempSync(path.join(tmpdir(), "project-"));
      writeFileSync(path.join(project, ".env.example"), example);
      const result = writeEnvFile(project, { databaseUrl: "postgresql://db.internal/app" });
      return { project, result, env: parseEnv(readFileSync(path.join(project, ".env"), "utf8")) };
    };
    const first = write();
    const second = write();
    const placeholders = [...example.matchAll(new RegExp(`^([A-Z0-9_]+)=${GENERATED_PLACEHOLDER}$`, "gm"))].map((match) => match[1]);
    expect(first.result?.generated).toEqual(placeholders);
    expect(JSON.stringify(first.env)).not.toContain(GENERATED_PLACEHOLDER);
    expect(first.env.DATABASE_URL).toBe("postgresql://db.internal/app");
    expect(statSync(path.join(first.project, ".env")).mode & 0o777).toBe(0o600);
    for (const name of placeholders) {
      expect(first.env[name!]).toBeTruthy();
      expect(first.env[name!]).not.toBe(second.env[name!]);
    }
  });

  it("writes nothing for a template without .env.example", () => {
    expect(writeEnvFile(mkdtempSync(path.join(tmpdir(), "project-")), { databaseUrl: null })).toBeNull();
  });
});
