// The new project's files: copied from the template stored in this package, then renamed for
// the project (`latchkey` → its name, `@latchkey/*` → `@<name>/*`, lockfile included).
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { toStoredPath, type TemplateManifest } from "./template-files.ts";

const TEMPLATE_SCOPE = "@latchkey/";
const BINARY_SNIFF_BYTES = 8_000;

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

/** Renames the root package to `name` and every `@latchkey/*` workspace package (and its imports) to `@<name>/*`. */
export function renamePackages(projectDir: string, files: readonly string[], name: string): void {
  for (const file of files) {
    const target = path.join(projectDir, file);
    const content = readFileSync(target);
    if (isBinary(content)) continue;
    const text = content.toString("utf8");
    if (text.includes(TEMPLATE_SCOPE)) writeFileSync(target, text.replaceAll(TEMPLATE_SCOPE, `@${name}/`));
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
