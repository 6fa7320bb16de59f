// The new project's files: copied from the template stored in this package, then renamed for
// the project: every "latchkey" in its files and paths takes the project's name (see renameProject).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { toStoredPath, type TemplateManifest } from "./template-files.ts";

const BINARY_SNIFF_BYTES = 8_000;
// The template's name in its three spellings, and the one name that is not the template's:
// this package's (`create-latchkey`), which a new app's docs mention as its origin.
const TEMPLATE_NAME = /create-latchkey|LATCHKEY|latchkey_|latchkey/g;

export function readTemplateManifest(templateDir: string): TemplateManifest {
  const manifestFile = path.join(templateDir, "..", "template.json");
  if (!existsSync(manifestFile)) {
    throw new Error(`This copy of create-latchkey has no template (${manifestFile} is missing); reinstall it.`);
  }
  return JSON.parse(readFileSync(manifestFile, "utf8")) as TemplateManifest;
}

/** Copies every template file into `destination` under its real name (`_gitignore` → `.gitignore`). */
export function copyTemplate(templateDir: string, manifest: TemplateManifest, destination: string): void {
  for (const file of manifest.files) {
    const source = path.join(templateDir, toStoredPath(file.path));
    if (!existsSync(source)) {
      throw new Error(`This copy of create-latchkey is incomplete: its template lacks ${file.path}. Reinstall it.`);
    }
    const target = path.join(destination, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(source, target);
    if (file.executable) chmodSync(target, 0o755);
  }
}

function isBinary(content: Buffer): boolean {
  return content.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** The project's name in each spelling the template uses: `acme-notes`, `acme_notes_`, `ACME_NOTES`. */
function spellName(name: string) {
  const snake = name.replace(/[^a-z0-9]+/g, "_");
  return { kebab: name, snakePrefix: `${snake}_`, upper: snake.toUpperCase() };
}

/** `text` with the template's name replaced by the project's, `create-latchkey` left as it is. */
export function renameText(text: string, name: string): string {
  const spelled = spellName(name);
  return text.replace(TEMPLATE_NAME, (match) => {
    if (match === "LATCHKEY") return spelled.upper;
    if (match === "latchkey_") return spelled.snakePrefix;
    if (match === "latchkey") return spelled.kebab;
    return match;
  });
}

/**
 * Renames the project everywhere: the root package to `name`, `@latchkey/*` to `@<name>/*` (imports
 * and lockfile included), and every user-facing "latchkey" — page title, brand, API log line,
 * cookie name (`<name>_session`), CLI name and its `<NAME>_*` variables — along with the tests and
 * docs that name them; files whose path holds the name are moved.
 */
export function renameProject(projectDir: string, files: readonly string[], name: string): void {
  for (const file of files) {
    const target = path.join(projectDir, file);
    const content = readFileSync(target);
    if (!isBinary(content)) {
      const text = content.toString("utf8");
      const changed = renameText(text, name);
      if (changed !== text) writeFileSync(target, changed);
    }
    const newPath = renameText(file, name);
    if (newPath !== file) {
      mkdirSync(path.dirname(path.join(projectDir, newPath)), { recursive: true });
      renameSync(target, path.join(projectDir, newPath));
    }
  }
  const manifestFile = path.join(projectDir, "package.json");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Record<string, unknown>;
  writeFileSync(manifestFile, `${JSON.stringify({ ...manifest, name }, null, 2)}\n`);
}

/** The pnpm version the project pins in `packageManager` ("pnpm@12.4.2" → "12.4.2"). */
export function readPnpmVersion(projectDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(projectDir, "package.json"), "utf8")) as { packageManager?: string };
  const match = /^pnpm@(\d[^+]*)/.exec(manifest.packageManager ?? "");
  if (!match) throw new Error("The template's package.json does not pin pnpm in packageManager.");
  return match[1]!;
}

/** Titles the README after the project and says where it came from; the rest describes the template. */
export function retitleReadme(projectDir: string, name: string): void {
  const readme = path.join(projectDir, "README.md");
  if (!existsSync(readme)) return;
  const text = readFileSync(readme, "utf8");
  if (!text.startsWith("# ")) return;
  const origin = `Created with \`create-latchkey\` from the latchkey template; what follows describes the template as you got it.`;
  writeFileSync(readme, text.replace(/^# .*\n/, `# ${name}\n\n${origin}\n`));
}
