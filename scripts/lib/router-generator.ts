// What `pnpm gen router <name> [field:type …]` writes: a feature like `note` (router on
// protectedProcedure with its zod schemas and test, its registration, a Prisma model with the
// fields, and a web page with its route, nav link and test). Pure: it reads files through `read`
// and returns every change at once, so a refused name changes nothing. The files it creates come
// from feature-templates.ts, the fields' types from feature-fields.ts.
import { parseFeatureFields, toPrismaColumn, type FeatureField } from "./feature-fields.ts";
import { renderPage, renderPageTest, renderRouter, renderRouterTest } from "./feature-templates.ts";

export interface FeatureNames {
  /** `reading-list`: file names. */
  kebab: string;
  /** `readingList`: router key, Prisma delegate, variables. */
  camel: string;
  /** `ReadingList`: Prisma model. */
  pascal: string;
  /** `READING_LIST`: constants. */
  constant: string;
  /** `reading list`: messages. */
  words: string;
  /** `reading-lists`: web feature folder and URL. */
  pluralKebab: string;
  /** `readingLists`: the User back-relation. */
  pluralCamel: string;
  /** `ReadingLists`: the page component. */
  pluralPascal: string;
  /** `Reading lists`: headings and the nav link. */
  pluralTitle: string;
}

export interface FileChange {
  path: string;
  content: string;
  /** true: a new file (written only if it still does not exist); false: an edit of an existing one. */
  created: boolean;
}

export const ROUTER_DIR = "apps/server/src/routers";
export const APP_ROUTER_FILE = `${ROUTER_DIR}/_app.ts`;
export const SCHEMA_FILE = "prisma/schema.prisma";
export const WEB_APP_FILE = "apps/web/src/app.tsx";
export const APP_SHELL_FILE = "apps/web/src/components/app-shell.tsx";

const NAME_PATTERN = /^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*$/;
const MAX_NAME_LENGTH = 40;

// Names the generated code cannot use: JavaScript/TypeScript words (router keys and variables),
// Prisma's scalar types and client, and the words tRPC reserves on routers.
const RESERVED_NAMES = new Set([
  ...["break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum", "export"],
  ...["extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "new", "null", "return", "super"],
  ...["switch", "this", "throw", "true", "try", "typeof", "var", "void", "while", "with", "yield", "let", "static", "await"],
  ...["implements", "interface", "package", "private", "protected", "public", "async", "any", "boolean", "number", "string"],
  ...["symbol", "object", "undefined", "never", "unknown", "type", "declare", "module", "namespace", "require", "constructor"],
  ...["prototype", "int", "big-int", "float", "decimal", "date-time", "json", "bytes", "unsupported", "prisma", "prisma-client"],
  ...["then", "call", "apply"],
]);

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function pluralize(word: string): string {
  if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  return `${word}s`;
}

export function toFeatureNames(kebab: string): FeatureNames {
  const words = kebab.split("-");
  const plural = [...words.slice(0, -1), pluralize(words.at(-1)!)];
  const camel = (parts: string[]) => parts[0] + parts.slice(1).map(capitalize).join("");
  return {
    kebab,
    camel: camel(words),
    pascal: words.map(capitalize).join(""),
    constant: words.join("_").toUpperCase(),
    words: words.join(" "),
    pluralKebab: plural.join("-"),
    pluralCamel: camel(plural),
    pluralPascal: plural.map(capitalize).join(""),
    pluralTitle: capitalize(plural.join(" ")),
  };
}

/** Why `name` is not a valid feature name (before looking at what exists), or null. */
export function getFeatureNameProblem(name: string): string | null {
  if (!NAME_PATTERN.test(name)) {
    return `"${name}" is not a feature name: use lowercase letters and digits, words joined by "-", starting with a letter (e.g. bookmark, reading-list).`;
  }
  if (name.length > MAX_NAME_LENGTH) return `"${name}" is too long: use at most ${MAX_NAME_LENGTH} characters.`;
  if (RESERVED_NAMES.has(name)) return `"${name}" is a reserved word in the generated code; choose another name.`;
  return null;
}

function importPath(line: string): string {
  return /from "([^"]+)"/.exec(line)?.[1] ?? line;
}

/** Inserts an import `line` among the imports that `isPeer` accepts, in the order of their paths. */
function insertSorted(lines: string[], line: string, isPeer: (candidate: string) => boolean): string[] | null {
  const peers = lines.map((candidate, index) => (isPeer(candidate) ? index : -1)).filter((index) => index >= 0);
  if (peers.length === 0) return null;
  const before = peers.find((index) => importPath(lines[index]!) > importPath(line));
  const at = before ?? peers.at(-1)! + 1;
  return [...lines.slice(0, at), line, ...lines.slice(at)];
}

/** Inserts `line` before the line that closes the block opened by the first line matching `opener`. */
function insertBeforeClose(lines: string[], opener: RegExp, closer: RegExp, line: string): string[] | null {
  const start = lines.findIndex((candidate) => opener.test(candidate));
  if (start === -1) return null;
  const end = lines.findIndex((candidate, index) => index > start && closer.test(candidate));
  if (end === -1) return null;
  return [...lines.slice(0, end), line, ...lines.slice(end)];
}

function indentOf(line: string): string {
  return /^\s*/.exec(line)![0];
}

export function registerRouter(source: string, names: FeatureNames): string | null {
  const withImport = insertSorted(source.split("\n"), `import { ${names.camel}Router } from "./${names.kebab}.ts";`, (line) =>
    /^import \{ \w+Router \} from "\.\/[\w-]+\.ts";$/.test(line),
  );
  if (!withImport) return null;
  const registered = insertBeforeClose(withImport, /^export const appRouter = router\(\{$/, /^\}\);$/, `  ${names.camel}: ${names.camel}Router,`);
  return registered?.join("\n") ?? null;
}

export function addPrismaModel(schema: string, names: FeatureNames, fields: readonly FeatureField[]): string | null {
  const lines = schema.split("\n");
  const start = lines.findIndex((line) => /^model User \{/.test(line));
  const end = lines.findIndex((line, index) => index > start && /^\}/.test(line));
  if (start === -1 || end === -1) return null;
  const fieldLines = lines.slice(start + 1, end).filter((line) => /^\s+\w+\s+\S/.test(line));
  const last = fieldLines.at(-1);
  if (!last) return null;
  // Keep the column alignment `prisma format` gives the User model.
  const typeColumn = /^\s+\w+\s+/.exec(last)![0].length;
  const field = `  ${names.pluralCamel}`;
  const relation = `${field.padEnd(Math.max(typeColumn, field.length + 1))}${names.pascal}[]`;
  const at = lines.indexOf(last, start) + 1;
  const withRelation = [...lines.slice(0, at), relation, ...lines.slice(at)].join("\n");
  const columns: Array<[name: string, type: string, attributes: string]> = [
    ["id", "String", "@id @default(cuid(2))"],
    ["ownerId", "String", ""],
    ["owner", "User", "@relation(fields: [ownerId], references: [id], onDelete: Cascade)"],
    ...fields.map((field): [string, string, string] => [field.name, ...toPrismaColumn(field)]),
    ["createdAt", "DateTime", "@default(now())"],
    ["updatedAt", "DateTime", "@updatedAt"],
  ];
  // Aligned the way `prisma format` aligns a model.
  const nameWidth = Math.max(...columns.map(([name]) => name.length)) + 1;
  const typeWidth = Math.max(...columns.map(([, type]) => type.length)) + 1;
  const model = [
    "",
    `// ${names.pluralTitle} of a user (\`pnpm gen router ${names.kebab}\`). To add a field later: add it here and to`,
    `// the router's zod schema, then pnpm prisma migrate dev; the page and the tests show the others.`,
    `model ${names.pascal} {`,
    ...columns.map(([name, type, attributes]) => `  ${name.padEnd(nameWidth)}${attributes ? type.padEnd(typeWidth) + attributes : type}`.trimEnd()),
    "",
    "  @@index([ownerId, updatedAt])",
    "}",
    "",
  ].join("\n");
  return `${withRelation.trimEnd()}\n${model}`;
}

/** Adds the page after the last signed-in route (SignedInLayout guards it), as a chunk of its own like the others. */
export function addWebRoute(app: string, names: FeatureNames): string | null {
  const lines = app.split("\n");
  const last = lines.findLastIndex((line) => /^\s*\{ path: "[^"]+", layout: SignedInLayout, lazy: /.test(line));
  if (last === -1) return null;
  const load = `(await import("./features/${names.pluralKebab}/${names.pluralKebab}-page.tsx")).${names.pluralPascal}Page`;
  const route = `${indentOf(lines[last]!)}{ path: "/${names.pluralKebab}", layout: SignedInLayout, lazy: async () => ${load} },`;
  return [...lines.slice(0, last + 1), route, ...lines.slice(last + 1)].join("\n");
}

/** Adds the page's link to the main navigation: before the admin link (which stays last), else at the end. */
export function addNavLink(shell: string, names: FeatureNames): string | null {
  const lines = shell.split("\n");
  const close = lines.findIndex((line) => /^\s*<\/nav>$/.test(line));
  if (close === -1) return null;
  const admin = lines.findIndex((line, index) => index < close && line.includes('to="/admin"'));
  const at = admin === -1 ? close : admin;
  const indent = admin === -1 ? `${indentOf(lines[close]!)}  ` : indentOf(lines[admin]!);
  const link = `${indent}<NavLink to="/${names.pluralKebab}">${names.pluralTitle}</NavLink>`;
  return [...lines.slice(0, at), link, ...lines.slice(at)].join("\n");
}

export type RouterFeaturePlan =
  | { ok: true; names: FeatureNames; fields: FeatureField[]; changes: FileChange[] }
  | { ok: false; problems: string[] };

/**
 * Every file change for a new feature `name` with the fields `fieldSpecs` (`title:string`,
 * `url:string?`; none: a title), or every reason it cannot be made. `read` returns a file's text,
 * or null when it does not exist. Without apps/web, only the server side is made.
 */
export function planRouterFeature(name: string, fieldSpecs: readonly string[], read: (path: string) => string | null): RouterFeaturePlan {
  const nameProblem = getFeatureNameProblem(name);
  const parsed = parseFeatureFields(fieldSpecs);
  if (nameProblem || !parsed.ok) return { ok: false, problems: [...(nameProblem ? [nameProblem] : []), ...(parsed.ok ? [] : parsed.problems)] };
  const { fields } = parsed;
  const n = toFeatureNames(name);
  const problems: string[] = [];
  const changes: FileChange[] = [];

  const routerFile = `${ROUTER_DIR}/${n.kebab}.ts`;
  const routerTestFile = `${ROUTER_DIR}/${n.kebab}.test.ts`;
  for (const file of [routerFile, routerTestFile]) if (read(file) !== null) problems.push(`${file} already exists.`);
  changes.push(
    { path: routerFile, content: renderRouter(n, fields), created: true },
    { path: routerTestFile, content: renderRouterTest(n, fields), created: true },
  );

  const appRouter = read(APP_ROUTER_FILE) ?? "";
  if (new RegExp(`^\\s*${n.camel}:`, "m").test(appRouter) || appRouter.includes(`${n.camel}Router`)) {
    problems.push(`${APP_ROUTER_FILE} already has a "${n.camel}" router.`);
  } else {
    const registered = registerRouter(appRouter, n);
    if (registered) changes.push({ path: APP_ROUTER_FILE, content: registered, created: false });
    else problems.push(`Cannot find the router imports and \`export const appRouter = router({\` … \`});\` in ${APP_ROUTER_FILE}.`);
  }

  const schema = read(SCHEMA_FILE) ?? "";
  if (new RegExp(`^(model|enum|type|view) ${n.pascal}\\b`, "m").test(schema)) {
    problems.push(`${SCHEMA_FILE} already has a ${n.pascal} model or type.`);
  } else if (new RegExp(`^model User \\{[^}]*^\\s+${n.pluralCamel}\\s`, "ms").test(schema)) {
    problems.push(`The User model in ${SCHEMA_FILE} already has a field "${n.pluralCamel}".`);
  } else {
    const withModel = addPrismaModel(schema, n, fields);
    if (withModel) changes.push({ path: SCHEMA_FILE, content: withModel, created: false });
    else problems.push(`Cannot find the User model in ${SCHEMA_FILE}.`);
  }

  const webApp = read(WEB_APP_FILE);
  if (webApp !== null) {
    const pageDir = `apps/web/src/features/${n.pluralKebab}`;
    const pageFile = `${pageDir}/${n.pluralKebab}-page.tsx`;
    const pageTestFile = `${pageDir}/${n.pluralKebab}-page.test.tsx`;
    for (const file of [pageFile, pageTestFile]) if (read(file) !== null) problems.push(`${file} already exists.`);
    if (webApp.includes(`path: "/${n.pluralKebab}"`)) problems.push(`${WEB_APP_FILE} already has a /${n.pluralKebab} route.`);
    const withRoute = addWebRoute(webApp, n);
    const withLink = addNavLink(read(APP_SHELL_FILE) ?? "", n);
    if (!withRoute) problems.push(`Cannot find the signed-in routes (\`{ path: …, layout: SignedInLayout, lazy: … }\`) in ${WEB_APP_FILE}.`);
    if (!withLink) problems.push(`Cannot find the main navigation (\`</nav>\`) in ${APP_SHELL_FILE}.`);
    if (withRoute && withLink) {
      changes.push(
        { path: pageFile, content: renderPage(n, fields), created: true },
        { path: pageTestFile, content: renderPageTest(n, fields), created: true },
        { path: WEB_APP_FILE, content: withRoute, created: false },
        { path: APP_SHELL_FILE, content: withLink, created: false },
      );
    }
  }

  return problems.length > 0 ? { ok: false, problems } : { ok: true, names: n, fields, changes };
}
