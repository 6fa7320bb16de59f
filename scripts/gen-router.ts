// `pnpm gen router <name>`: adds a feature like `note` — router, test, registration, Prisma model
// stub, web page with route and nav link (scripts/lib/router-generator.ts). A clashing or invalid
// name is refused with every reason and no file changed.
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { requirePrisma } from "./lib/prisma-cli.ts";
import { planRouterFeature } from "./lib/router-generator.ts";
import { REPO_ROOT } from "./lib/repo-root.ts";

const USAGE = "Usage: pnpm gen router <name>   (name: lowercase words joined by -, e.g. bookmark or reading-list)";

function read(file: string): string | null {
  const absolute = path.join(REPO_ROOT, file);
  return existsSync(absolute) ? readFileSync(absolute, "utf8") : null;
}

const [generator, name, ...rest] = process.argv.slice(2);
if (generator !== "router" || !name || rest.length > 0) {
  console.error(generator && generator !== "router" ? `Unknown generator "${generator}": the only one is router.\n${USAGE}` : USAGE);
  process.exit(1);
}

const plan = planRouterFeature(name, read);
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
const hasPage = plan.changes.some((change) => change.path.startsWith("apps/web/"));
console.log(`
The ${camel} router is registered at \`${camel}.*\`${hasPage ? `, with a page at /${pluralKebab}` : ""}. Next:
  1. Add your fields to model ${pascal} in prisma/schema.prisma and to the router's zod schemas.
  2. pnpm prisma migrate dev --name add-${kebab}
  3. pnpm prisma generate   (Prisma 7's migrate dev no longer does it)
  4. pnpm test`);
