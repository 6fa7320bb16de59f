// `pnpm env:init`: creates .env from .env.example with fresh secrets, or adds generated secrets an
// existing .env lacks. Lines already in .env are never changed.
import { describeEnvFileResult, ensureEnvFile } from "./lib/env-file.ts";

console.log(describeEnvFileResult(ensureEnvFile()) ?? ".env already exists and has every generated secret; left unchanged.");
