// The new project's .env, made by the template's own generator (scripts/lib/env-file.ts, bundled
// into this package at pack time): fresh secrets, created the way `pnpm env:init` creates them.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { renderEnvFile, SECRET_GENERATORS } from "../../../scripts/lib/env-file.ts";

// A value made of these characters needs no quotes in a .env file.
const PLAIN_VALUE = /^[\w\-.:/@?=&%+~,]*$/;

function formatEnvValue(value: string): string {
  return PLAIN_VALUE.test(value) ? value : JSON.stringify(value);
}

/** .env text with DATABASE_URL set: its (commented-out) example line becomes the setting. */
export function setDatabaseUrl(envText: string, databaseUrl: string): string {
  const line = `DATABASE_URL=${formatEnvValue(databaseUrl)}`;
  const example = /^#?\s*DATABASE_URL=.*$/m;
  return example.test(envText) ? envText.replace(example, line) : `${envText.trimEnd()}\n${line}\n`;
}

export interface EnvFileResult {
  /** The variables given fresh secrets. */
  generated: string[];
}

/** Writes `projectDir/.env` from its .env.example; null when the template has no .env.example. */
export function writeEnvFile(projectDir: string, options: { databaseUrl: string | null }): EnvFileResult | null {
  const exampleFile = path.join(projectDir, ".env.example");
  if (!existsSync(exampleFile)) return null;
  const rendered = renderEnvFile(readFileSync(exampleFile, "utf8"), SECRET_GENERATORS);
  const text = options.databaseUrl ? setDatabaseUrl(rendered.text, options.databaseUrl) : rendered.text;
  // Owner-only: the file holds secrets.
  writeFileSync(path.join(projectDir, ".env"), text, { mode: 0o600 });
  return { generated: rendered.generated };
}
