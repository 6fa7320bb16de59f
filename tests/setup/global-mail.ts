// Mail for the whole test run, started by the global setup: one real SMTP catcher on loopback and an
// outbox worker (the API's own, apps/server/src/mail/outbox.ts) on each of the run's databases,
// delivering every test's mail to it over TCP. Test files read what arrived, and take the mail
// server down and up again, through a small HTTP endpoint (tests/setup/mail.ts), since they run in
// other processes.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createDatabase } from "../../apps/server/src/db.ts";
import { startOutboxWorker } from "../../apps/server/src/mail/outbox.ts";
import { startMailCatcher } from "../../scripts/lib/mail-catcher.ts";

// Short waits so that a test of the outage sees a retry within a second or two.
const POLL_INTERVAL_MS = 100;
const RETRY_BASE_MS = 200;
const RETRY_MAX_MS = 1_000;

export async function startTestMail(databaseUrls: string[]) {
  const catcher = await startMailCatcher();
  const outboxes = databaseUrls.map((url) => {
    const db = createDatabase({ url, poolMax: 1 });
    const worker = startOutboxWorker({
      db,
      smtpUrl: catcher.smtpUrl,
      from: "latchkey tests <no-reply@test.latchkey.dev>",
      pollIntervalMs: POLL_INTERVAL_MS,
      retryBaseMs: RETRY_BASE_MS,
      retryMaxMs: RETRY_MAX_MS,
      // The outage test causes failures on purpose; they are asserted there, not printed here.
      log: { error: () => {} },
    });
    return { db, worker };
  });
  const control: Server = createServer((req, res) => {
    const respond = (work: Promise<void>) =>
      work.then(
        () => res.writeHead(204).end(),
        (error: Error) => res.writeHead(500).end(error.message),
      );
    if (req.method === "GET" && req.url === "/messages") {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(catcher.messages));
    } else if (req.method === "POST" && req.url === "/smtp/pause") void respond(catcher.pause());
    else if (req.method === "POST" && req.url === "/smtp/resume") void respond(catcher.resume());
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  const { port } = control.address() as AddressInfo;
  return {
    controlUrl: `http://127.0.0.1:${port}`,
    async stop() {
      await Promise.all(outboxes.map(({ worker }) => worker.stop()));
      await Promise.all(outboxes.map(({ db }) => db.$disconnect()));
      control.closeAllConnections();
      await new Promise((resolve) => control.close(resolve));
      await catcher.stop();
    },
  };
}
