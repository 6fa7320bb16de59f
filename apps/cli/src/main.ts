// Entry point of the `latchkey` command (bin/latchkey.js, or `pnpm --filter @latchkey/cli start`).
import { runCli } from "./cli.ts";

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
