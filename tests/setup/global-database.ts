// Vitest global setup: one migrated database for the whole run. With DATABASE_URL set, that
// PostgreSQL (migrations applied with `prisma migrate deploy`, nothing dropped: tests create
// their own uniquely named rows); otherwise an in-memory PGlite server on an ephemeral port.
// Then the run's mail server and outbox worker on that database (tests/setup/global-mail.ts).
import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase, type EmbeddedDatabase } from "../../scripts/lib/embedded-database.ts";
import { requirePrisma } from "../../scripts/lib/prisma-cli.ts";
import { startTestMail } from "./global-mail.ts";
import type {} from "./provided-context.ts";

let embedded: EmbeddedDatabase | null = null;
let mail: Awaited<ReturnType<typeof startTestMail>> | null = null;

export async function setup(project: TestProject) {
  let url = process.env.DATABASE_URL;
  if (!url) {
    embedded = await startEmbeddedDatabase({ dataDir: null, port: 0 });
    url = embedded.url;
  }
  await requirePrisma(["migrate", "deploy"], { ...process.env, DATABASE_URL: url });
  project.provide("databaseUrl", url);
  mail = await startTestMail(url);
  project.provide("mailControlUrl", mail.controlUrl);
}

export async function teardown() {
  await mail?.stop();
  await embedded?.stop();
}
