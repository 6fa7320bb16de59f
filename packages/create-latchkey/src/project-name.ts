// The project's name: its directory's name, the root package's name and the scope of its
// workspace packages (`@<name>/server`), so it must be a valid unscoped npm package name.
import { builtinModules } from "node:module";
import path from "node:path";

const MAX_NAME_LENGTH = 214;
const RESERVED_NAMES = new Set(["node_modules", "favicon.ico"]);

/** Why `name` cannot name a project, or null when it can. */
export function getProjectNameProblem(name: string): string | null {
  if (name.length === 0) return "Enter a name.";
  if (name.length > MAX_NAME_LENGTH) return `Use at most ${MAX_NAME_LENGTH} characters.`;
  if (name.trim() !== name) return "Remove the spaces at the start or end.";
  if (name.startsWith("@")) return "Use a name without a scope: the app's own packages are scoped as @<name>/server and @<name>/web.";
  if (name !== name.toLowerCase()) return "Use lowercase letters only (npm package names are lowercase).";
  if (name.startsWith(".") || name.startsWith("_")) return 'Start with a letter or digit, not "." or "_".';
  if (/[~'!()*]/.test(name) || encodeURIComponent(name) !== name) {
    return 'Use only lowercase letters, digits, "-", "." and "_" (the name must be URL-safe).';
  }
  if (RESERVED_NAMES.has(name) || builtinModules.includes(name)) return `"${name}" is reserved; choose another name.`;
  return null;
}


/** The name a target directory gives the project: its last path segment ("." is the current one). */
export function toProjectName(targetDir: string): string {
  return path.basename(path.resolve(targetDir));
}
