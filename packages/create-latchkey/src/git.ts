// The new project's git repository: `git init` and a first commit of everything not ignored.
import { spawnSync } from "node:child_process";

// Used only when git has no identity configured, so that the first commit can be made at all.
const FALLBACK_AUTHOR = { name: "create-latchkey", email: "create-latchkey@users.noreply.github.com" };
const FIRST_COMMIT_MESSAGE = "Initial commit from create-latchkey";

export type GitResult = { committed: true } | { committed: false; reason: string };

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync("git", args, { cwd, env, encoding: "utf8" });
}

/** True when `dir` is already inside a git work tree (a monorepo, say): no nested repository then. */
export function isInsideGitRepository(dir: string): boolean {
  const result = git(dir, ["rev-parse", "--is-inside-work-tree"]);
  return result.status === 0 && result.stdout.trim() === "true";
}

export function initGitRepository(dir: string): GitResult {
  const version = git(dir, ["--version"]);
  if (version.error || version.status !== 0) return { committed: false, reason: "git is not installed" };
  if (isInsideGitRepository(dir)) return { committed: false, reason: "the directory is already inside a git repository" };

  const hasIdentity = git(dir, ["config", "user.email"]).stdout.trim() !== "" && git(dir, ["config", "user.name"]).stdout.trim() !== "";
  const env = hasIdentity
    ? process.env
    : {
        ...process.env,
        GIT_AUTHOR_NAME: FALLBACK_AUTHOR.name,
        GIT_AUTHOR_EMAIL: FALLBACK_AUTHOR.email,
        GIT_COMMITTER_NAME: FALLBACK_AUTHOR.name,
        GIT_COMMITTER_EMAIL: FALLBACK_AUTHOR.email,
      };
  for (const args of [["init", "--quiet"], ["add", "--all"], ["commit", "--quiet", "--no-verify", "--message", FIRST_COMMIT_MESSAGE]]) {
    const result = git(dir, args, env);
    if (result.status !== 0) return { committed: false, reason: `git ${args[0]} failed: ${(result.stderr || result.stdout).trim()}` };
  }
  return { committed: true };
}
