// Vitest global setup of the e2e project: one Chromium for every browser test file. Each file
// connects to it and opens contexts of its own (separate cookie jars, as separate devices), so
// files stay independent while the browser starts once instead of once per file.
import { chromium, type BrowserServer } from "playwright-core";
import type { TestProject } from "vitest/node";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium.ts";
import type {} from "./provided-context.ts";

let server: BrowserServer | null = null;

export async function setup(project: TestProject) {
  server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, host: "127.0.0.1" });
  project.provide("browserWsEndpoint", server.wsEndpoint());
}

export async function teardown() {
  await server?.close();
}
