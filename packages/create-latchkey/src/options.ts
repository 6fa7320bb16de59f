// Command-line options of `create-latchkey [dir] [flags]`. A flag given here skips its question.
import { parseArgs } from "node:util";
import { isPackageManager, PACKAGE_MANAGERS, type PackageManager } from "./package-manager.ts";
import { getProjectNameProblem } from "./project-name.ts";

export const USAGE = `Usage: create-latchkey [dir] [options]

Creates a latchkey app in dir (asked for when missing); its name is dir's last segment.

Options:
  -y, --yes               Use the defaults for everything not given; ask nothing
      --name <name>       The app's name, where it differs from dir's: package names, page
                          title, brand, cookie, CLI (lowercase, npm package name rules)
      --pm <name>         Package manager to run pnpm with: ${PACKAGE_MANAGERS.join(", ")}
                          (default: the one running this command)
      --database-url <url>
                          A postgresql:// URL for .env (default: the embedded database)
      --no-install        Do not install dependencies
      --no-git            Do not create a git repository
      --force             Write into a non-empty directory (same-named files are replaced)
  -h, --help              Show this help
  -v, --version           Show the version`;

export interface CliOptions {
  targetDir: string | null;
  /** null: the target directory's last segment. */
  name: string | null;
  yes: boolean;
  packageManager: PackageManager | null;
  databaseUrl: string | null;
  /** null: ask (or the default, true, with --yes). */
  install: boolean | null;
  git: boolean | null;
  force: boolean;
  help: boolean;
  version: boolean;
}

/** Bad input from the person running the command: shown as it is, without a stack trace. */
export class UsageError extends Error {}

/** Why `url` cannot be DATABASE_URL, or null: the same rule as apps/server/src/env.ts. */
export function getDatabaseUrlProblem(url: string): string | null {
  if (!/^postgres(ql)?:\/\//.test(url) || !URL.canParse(url)) {
    return "Enter a PostgreSQL URL such as postgresql://user:password@localhost:5432/my_app.";
  }
  return null;
}

export function parseCliArgs(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        yes: { type: "boolean", short: "y" },
        name: { type: "string" },
        pm: { type: "string" },
        "database-url": { type: "string" },
        "no-install": { type: "boolean" },
        "no-git": { type: "boolean" },
        force: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    // parseArgs explains what was wrong (unknown option, missing value); add where to look.
    throw new UsageError(`${(error as Error).message}\nRun create-latchkey --help to see the options.`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(`Expected one directory, got ${positionals.length}: ${positionals.join(" ")}. Quote a path that has spaces.`);
  }
  const pm = values.pm;
  if (pm !== undefined && !isPackageManager(pm)) {
    throw new UsageError(`--pm must be one of ${PACKAGE_MANAGERS.join(", ")}; got "${pm}".`);
  }
  const { name } = values;
  if (name !== undefined) {
    const problem = getProjectNameProblem(name);
    if (problem) throw new UsageError(`--name "${name}" cannot name a project: ${problem}`);
  }
  const databaseUrl = values["database-url"];
  if (databaseUrl !== undefined) {
    const problem = getDatabaseUrlProblem(databaseUrl);
    if (problem) throw new UsageError(`--database-url: ${problem}`);
  }
  return {
    targetDir: positionals[0] ?? null,
    name: name ?? null,
    yes: values.yes ?? false,
    packageManager: pm ?? null,
    databaseUrl: databaseUrl ?? null,
    install: values["no-install"] ? false : null,
    git: values["no-git"] ? false : null,
    force: values.force ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}
