// The outbox worker's own rules: back-off, what a failure logs (never the mail's links), and a stop
// that does not wait out the poll interval. Delivery itself is exercised by every test that reads
// mail (tests/setup/global-mail.ts runs the worker), and the outage in http-server.email.test.ts.
import nodemailer from "nodemailer";
import { afterAll, describe, expect, it } from "vitest";
import { getFreePort } from "../../../../tests/setup/http.ts";
import { createTestDatabase, uniqueEmail } from "../../../../tests/setup/server.ts";
import { deliverDueMail, enqueueMail, getRetryDelayMs, startOutboxWorker } from "./outbox.ts";

const db = createTestDatabase();
afterAll(() => db.$disconnect());

describe("outbox", () => {
  it("doubles the wait after each failed attempt, up to the maximum", () => {
    expect([1, 2, 3, 4, 5, 6].map((attempts) => getRetryDelayMs(attempts, 5_000, 60_000))).toEqual([5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
  });

  it("logs a failed delivery by message id and reason, never the address or the link it carries", async () => {
    const link = "http://localhost:5173/reset-password#token=aaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    // Nothing listens on this port: every send fails.
    const transporter = nodemailer.createTransport({ url: `smtp://127.0.0.1:${await getFreePort()}` });
    const lines: string[] = [];
    const log = { error: (...parts: unknown[]) => lines.push(parts.join(" ")) };
    // The run's own worker may deliver a message before this pass claims it: try again then.
    let failed: string | undefined;
    for (let round = 0; round < 5 && !failed; round++) {
      const to = uniqueEmail("secret-recipient");
      await enqueueMail(db, { to, subject: "Reset", text: link, html: `<a href="${link}">reset</a>` });
      await deliverDueMail(db, transporter, { from: "test@localhost", retryBaseMs: 50, retryMaxMs: 100, log });
      const row = await db.outboxMessage.findFirst({ where: { to }, select: { id: true } });
      failed = row ? lines.find((line) => line.includes(row.id)) : undefined;
      expect(lines.join("\n")).not.toContain(to);
    }
    expect(failed).toMatch(/^mail [\w-]+: attempt \d+ failed \(.*ECONNREFUSED.*\); retrying in 1 s$/);
    expect(lines.join("\n")).not.toContain("aaaaaaaaaaaaaaaaaaaaaaaa.");
  });

  it("stops at once, without waiting out its poll interval", async () => {
    const worker = startOutboxWorker({ db, smtpUrl: `smtp://127.0.0.1:${await getFreePort()}`, from: "test@localhost", pollIntervalMs: 60_000, retryBaseMs: 50, retryMaxMs: 100, log: { error: () => {} } });
    // Let the first pass run, so stop() interrupts the wait rather than the start.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = performance.now();
    await worker.stop();
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
