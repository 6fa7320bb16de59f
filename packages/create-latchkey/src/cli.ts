// `create-latchkey [dir] [flags]` (what `npm create latchkey` runs): asks what it needs, or takes
// it from flags, writes the project (scaffold.ts), installs, commits and prints the next steps.
// Bad input changes nothing; a failed or interrupted install removes the directory it created.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as prompts from "@clack/prompts";
import { initGitRepository } from "./git.ts";
import { installDependencies, InstallInterruptedError } from "./install.ts";
import { getDatabaseUrlProblem, parseCliArgs, UsageError, USAGE, type CliOptions } from "./options.ts";
import { detectPackageManager, formatPnpmCommand, getPnpmCommand, PACKAGE_MANAGERS, type PackageManager } from "./package-manager.ts";
import { readPnpmVersion, readTemplateManifest } from "./project-files.ts";
import { getProjectNameProblem, toProjectName } from "./project-name.ts";
import { getTargetProblem, inspectTarget, scaffoldProject } from "./scaffold.ts";

// dist/cli.js beside dist/template/ and the package's package.json one level up.
const TEMPLATE_DIR = fileURLToPath(new URL("./template", import.meta.url));
const PACKAGE_JSON = fileURLToPath(new URL("../package.json", import.meta.url));
const DEFAULT_DIR = "my-latchkey-app";
const EXIT_INTERRUPTED = 130;

/** The person cancelled a prompt (Ctrl-C or Escape): nothing has been written yet. */
class CancelledError extends Error {}

interface Answers {
  targetDir: string;
  packageManager: PackageManager;
  databaseUrl: string | null;
  install: boolean;
  git: boolean;
  force: boolean;
}

/** A path as the person typed it relative to here: `my-app`, `../my-app`, or absolute when far. */
function showPath(targetDir: string): string {
  const relative = path.relative(process.cwd(), targetDir);
  if (relative === "") return ".";
  return relative.startsWith(`..${path.sep}..`) ? targetDir : relative;
}

/** Why `dir`'s last segment cannot name the project, or null (always null when --name gave the name). */
function getDirNameProblem(dir: string, name: string | null): string | null {
  const problem = name ? null : getProjectNameProblem(toProjectName(dir));
  return problem && `"${toProjectName(dir)}" cannot name a project: ${problem}`;
}

function getDirProblem(dir: string, options: { force: boolean; name: string | null }): string | null {
  return getDirNameProblem(dir, options.name) ?? getTargetProblem(path.resolve(dir), { force: options.force, shown: dir });
}

/** A prompt's answer; Ctrl-C or Escape in a prompt (clack's cancel symbol) ends the run. */
function requireAnswer<T>(value: T): Exclude<T, symbol> {
  if (prompts.isCancel(value)) throw new CancelledError();
  return value as Exclude<T, symbol>;
}


async function askQuestions(options: CliOptions, detected: PackageManager): Promise<Answers> {
  const dir =
    options.targetDir ??
    requireAnswer(
      await prompts.text({
        message: options.name ? "Where should the project go?" : "Where should the project go? Its name is the directory's name.",
        placeholder: DEFAULT_DIR,
        defaultValue: DEFAULT_DIR,
        validate: (value) => getDirProblem(value || DEFAULT_DIR, { force: true, name: options.name }) ?? undefined,
      }),
    );
  const nameProblem = getDirNameProblem(dir, options.name);
  if (nameProblem) throw new UsageError(nameProblem);
  let force = options.force;
  if (!force && inspectTarget(path.resolve(dir)) === "non-empty") {
    force = requireAnswer(
      await prompts.confirm({ message: `${dir} is not empty. Write the project into it anyway (same-named files are replaced)?`, initialValue: false }),
    );
    if (!force) throw new CancelledError();
  }
  const targetProblem = getTargetProblem(path.resolve(dir), { force, shown: dir });
  if (targetProblem) throw new UsageError(targetProblem);

  const packageManager =
    options.packageManager ??
    requireAnswer(
      await prompts.select<PackageManager>({
        message: "Which package manager? (The project is a pnpm workspace; others run pnpm through their package runner.)",
        initialValue: detected,
        options: PACKAGE_MANAGERS.map((value) => ({ value, label: value, hint: value === detected ? "detected" : undefined })),
      }),
    );

  let databaseUrl = options.databaseUrl;
  if (databaseUrl === null && !options.yes) {
    const database = requireAnswer(
      await prompts.select({
        message: "Which database?",
        initialValue: "embedded",
        options: [
          { value: "embedded", label: "Embedded PostgreSQL (PGlite)", hint: "nothing to install; data in .data/" },
          { value: "url", label: "A PostgreSQL server", hint: "you give its URL" },
        ],
      }),
    );
    if (database === "url") {
      databaseUrl = requireAnswer(
        await prompts.text({
          message: "PostgreSQL URL (written to .env as DATABASE_URL)",
          placeholder: "postgresql://user:password@localhost:5432/my_app",
          validate: (value) => getDatabaseUrlProblem(value ?? "") ?? undefined,
        }),
      );
    }
  }

  const install = options.install ?? requireAnswer(await prompts.confirm({ message: "Install dependencies?", initialValue: true }));
  const git = options.git ?? requireAnswer(await prompts.confirm({ message: "Create a git repository with a first commit?", initialValue: true }));
  return { targetDir: path.resolve(dir), packageManager, databaseUrl, install, git, force };
}

function takeDefaults(options: CliOptions, detected: PackageManager): Answers {
  const dir = options.targetDir ?? DEFAULT_DIR;
  const problem = getDirProblem(dir, options);
  if (problem) throw new UsageError(problem);
  return {
    targetDir: path.resolve(dir),
    packageManager: options.packageManager ?? detected,
    databaseUrl: options.databaseUrl,
    install: options.install ?? true,
    git: options.git ?? true,
    force: options.force,
  };
}

async function run(argv: string[]): Promise<number> {
  const options = parseCliArgs(argv);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.version) {
    console.log((JSON.parse(readFileSync(PACKAGE_JSON, "utf8")) as { version: string }).version);
    return 0;
  }
  if (!options.yes && !process.stdin.isTTY) {
    throw new UsageError("No terminal to ask questions in: pass --yes to use the defaults (create-latchkey --help lists the flags).");
  }

  prompts.intro("create-latchkey");
  const detected = detectPackageManager(process.env.npm_config_user_agent);
  const answers = options.yes ? takeDefaults(options, detected) : await askQuestions(options, detected);
  const name = options.name ?? toProjectName(answers.targetDir);
  const shown = showPath(answers.targetDir);

  // Ctrl-C from here on: finish the current step, then clean up (the prompts handle it before).
  const interrupt = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => interrupt.abort());

  const project = scaffoldProject({
    targetDir: answers.targetDir,
    name,
    databaseUrl: answers.databaseUrl,
    force: answers.force,
    templateDir: TEMPLATE_DIR,
    manifest: readTemplateManifest(TEMPLATE_DIR),
    signal: interrupt.signal,
  });
  const pnpmVersion = readPnpmVersion(answers.targetDir);
  const pnpm = (...args: string[]) => formatPnpmCommand(answers.packageManager, pnpmVersion, args);
  prompts.log.success(`Created ${shown}: package ${name}, workspace packages @${name}/*.`);
  if (project.envFile) {
    const secrets = project.envFile.generated.length > 0 ? `, new ${project.envFile.generated.join(", ")}` : "";
    prompts.log.info(`Wrote .env (${answers.databaseUrl ? "your DATABASE_URL" : "embedded database"}${secrets}).`);
  } else if (existsSync(path.join(answers.targetDir, ".env"))) {
    prompts.log.warn(`Kept the existing .env${answers.databaseUrl ? "; set DATABASE_URL in it yourself" : ""}.`);
  }

  if (answers.install) {
    prompts.log.step(`Installing dependencies: ${pnpm("install")}`);
    try {
      await installDependencies(answers.targetDir, [...getPnpmCommand(answers.packageManager, pnpmVersion)], interrupt.signal);
    } catch (error) {
      const interrupted = error instanceof InstallInterruptedError;
      let outcome: string;
      if (project.createdRoot) {
        rmSync(project.createdRoot, { recursive: true, force: true });
        outcome = `Removed ${showPath(project.createdRoot)}: nothing was left behind.`;
      } else {
        outcome = `${shown} has the project's files but not all of its dependencies: run \`${pnpm("install")}\` in it.`;
      }
      if (interrupted) {
        prompts.cancel(`Install interrupted. ${outcome}`);
        return EXIT_INTERRUPTED;
      }
      prompts.log.error((error as Error).message);
      prompts.cancel(`${outcome} Run again with --no-install to create the project without installing.`);
      return 1;
    }
  }

  if (answers.git) {
    const result = initGitRepository(answers.targetDir);
    if (result.committed) prompts.log.success("Created a git repository with a first commit.");
    else prompts.log.warn(`No git repository: ${result.reason}.`);
  }

  // The README's two commands: install + dev (installed already: dev, and test to run every suite).
  const steps = [...(shown === "." ? [] : [`cd ${shown}`]), ...(answers.install ? [pnpm("dev"), pnpm("test")] : [pnpm("install"), pnpm("dev")])];
  const viaRunner =
    answers.packageManager === "pnpm"
      ? ""
      : `\n\nThe project is a pnpm workspace, so these run pnpm ${pnpmVersion} through ${answers.packageManager}.` +
        `\nWith pnpm installed (npm install -g pnpm@${pnpmVersion}) they are pnpm ${answers.install ? "dev and pnpm test" : "install and pnpm dev"}.`;
  prompts.note(`${steps.join("\n")}${viaRunner}`, "Next steps");
  prompts.outro(`${pnpm("dev")} starts the database, the API and the web app (demo users in the README).`);
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CancelledError) {
      prompts.cancel("Cancelled; nothing was written.");
      process.exitCode = 1;
    } else if (error instanceof Error && error.name === "AbortError") {
      prompts.cancel("Interrupted; nothing was written.");
      process.exitCode = EXIT_INTERRUPTED;
    } else if (error instanceof UsageError) {
      console.error(`create-latchkey: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error(`create-latchkey: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  },
);
