// `tsx packages/bench/src/password.ts [--seconds S] [--core N] [--json]`: what sign-in costs. Hashes
// and verifies passwords one at a time with the server's argon2id parameters, pinned to one core,
// and reports operations per second. `pnpm bench` runs it too.
import { parseArgs } from "node:util";
import { hashPassword, verifyPassword } from "../../../apps/server/src/auth/password.ts";
import { pinToCore } from "./process.ts";

export interface PasswordBenchResult {
  parameters: string;
  hashesPerSecond: number;
  verificationsPerSecond: number;
  msPerHash: number;
  pinnedToCore: number | null;
}

const PASSWORD = "correct horse battery staple";
const WARM_UP_HASHES = 2;

async function measure(seconds: number, operation: () => Promise<unknown>): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  let count = 0;
  while (performance.now() < deadline) {
    await operation();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "4" }, core: { type: "string", default: "0" }, json: { type: "boolean", default: false } },
});
const seconds = Number(values.seconds);
const core = Number(values.core);
// argon2 runs on a libuv thread; pinning every thread of this process keeps it to one core.
const pinned = pinToCore(process.pid, core);
const hash = await hashPassword(PASSWORD);
for (let index = 0; index < WARM_UP_HASHES; index++) await hashPassword(PASSWORD);
const hashesPerSecond = await measure(seconds / 2, () => hashPassword(PASSWORD));
const verificationsPerSecond = await measure(seconds / 2, () => verifyPassword(hash, PASSWORD));
const result: PasswordBenchResult = {
  // The parameters as the hash records them ($argon2id$v=19$m=…,t=…,p=…$…), not as we believe them.
  parameters: hash.split("$").slice(1, 4).join(" "),
  hashesPerSecond,
  verificationsPerSecond,
  msPerHash: 1000 / hashesPerSecond,
  pinnedToCore: pinned ? core : null,
};

if (values.json) {
  console.log(JSON.stringify(result));
} else {
  const where = result.pinnedToCore === null ? "unpinned (taskset failed)" : `pinned to core ${result.pinnedToCore}`;
  console.log(
    `${result.parameters}, ${where}: ${hashesPerSecond.toFixed(1)} hashes/s (${result.msPerHash.toFixed(1)} ms each), ` +
      `${verificationsPerSecond.toFixed(1)} verifications/s`,
  );
}
