// Loads the repository's .env into process.env (variables already set win), as the server
// itself never reads files: scripts hand it a complete environment.
import { existsSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./repo-root.ts";

export function loadDotEnv(file = path.join(REPO_ROOT, ".env")): boolean {
  if (!existsSync(file)) return false;
  process.loadEnvFile(file);
  return true;
}
