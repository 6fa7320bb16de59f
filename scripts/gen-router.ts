// `pnpm gen router <name> [field:type …]`: adds a feature like `note` — router, test,
// registration, Prisma model, web page with route, nav link and test, all with the fields given
// (scripts/lib/router-generator.ts). A clashing or invalid name or field is refused with every
// reason and no file changed.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { requirePrisma } from "./lib/prisma-cli.ts";
import { DEFAULT_FIELDS, FIELD_TYPES } from "./lib/feature-fields.ts";
import { planRouterFeature } from "./lib/router-generator.ts";
import { REPO_ROOT } from "./lib/repo-root.ts";

const USAGE = `Usage: pnpm gen router <name> [field:type …]
  name   lowercase words joined by -, e.g. bookmark or reading-list
  field  name:type, or name:type? for an optional one; types: ${FIELD_TYPES.join(", ")}
         (default ${DEFAULT_FIELDS}; the first required string names each item)
Example: pnpm gen router bookmark title:string url:string? done:boolean`;

function read(file: string): string | null {
  const absolute = path.join(REPO_ROOT, file);
  return existsSync(absolute) ? readFileSync(absolute, "utf8") : null;
}

const [generator, name, ...fieldSpecs] = process.argv.slice(2);
if (generator !== "router" || !name) {
  console.error(generator && generator !== "router" ? `Unknown generator "${generator}": the only one is router.\n${USAGE}` : USAGE);
  process.exit(1);
}

const plan = planRouterFeature(name, fieldSpecs, read);
if (!plan.ok) {
  console.error(`Nothing was changed: ${plan.problems.length === 1 ? plan.problems[0] : `\n${plan.problems.map((problem) => `  - ${problem}`).join("\n")}`}`);
  process.exit(1);
}

for (const change of plan.changes) {
  const absolute = path.join(REPO_ROOT, change.path);
  mkdirSync(path.dirname(absolute), { recursive: true });
  // `wx`: a new file is never written over one that appeared since the plan was made.
  writeFileSync(absolute, change.content, change.created ? { flag: "wx" } : {});
  console.log(`${change.created ? "created" : "updated"} ${change.path}`);
}

// The client's types now know the model, so the project typechecks before the migration exists.
console.log("\nRegenerating the Prisma client…");
await requirePrisma(["generate"]);

const { kebab, camel, pascal, pluralKebab } = plan.names;
const created = (pattern: RegExp) => plan.changes.find((change) => change.created && pattern.test(change.path))?.path;
const page = created(/-page\.tsx$/);
const fieldList = plan.fields.map((field) => `${field.name}${field.optional ? "?" : ""}`).join(", ");
console.log(`
The ${camel} router is registered at \`${camel}.*\` with the fields ${fieldList}${page ? `, with a page at /${pluralKebab}` : ""}. Next:
  1. pnpm prisma migrate dev --name add-${kebab}   (creates the ${pascal} table)
  2. pnpm prisma generate                          (Prisma 7's migrate dev no longer does it)
  3. pnpm test                                     (runs ${[created(/\/routers\/.*\.test\.ts$/), created(/-page\.test\.tsx$/)].filter(Boolean).join(" and ")})
To add a field later, change model ${pascal} in prisma/schema.prisma and ${camel}Fields in ${created(/\/routers\/[^/]*(?<!\.test)\.ts$/)},
then the form and list in ${page ?? "your client"} and the sample inputs in the two tests; typecheck points at each.`);
