#!/usr/bin/env node
// The `latchkey` command. Runs the TypeScript sources through tsx, so the example needs no build.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
