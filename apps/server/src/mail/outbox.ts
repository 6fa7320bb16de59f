// Mail is data first (DESIGN §7): procedures write a message to the outbox table in the transaction
// that creates what it carries, and a worker in the API delivers it over SMTP with nodemailer,
// retrying with back-off. Nothing is lost while the mail server is down, and sending never sits on a
// request's critical path. Logs name message ids and errors, never addresses' mail or its links.
import { setTimeout as sleep } from "node:timers/promises";
import type { SendMailOptions, Transporter } from "nodemailer";
import type { Database, DatabaseClient } from "../db.ts";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
// Messages claimed per pass; each is one SMTP connection (mail here is rare: no pool to go stale
// while the server is down).
const BATCH_SIZE = 20;
// A claimed message is hidden from other workers this long: longer than an SMTP send may take.
const CLAIM_LEASE_MS = 2 * MINUTE_MS;
const SMTP_TIMEOUT_MS = 30 * SECOND_MS;
const LAST_ERROR_MAX_LENGTH = 500;

export async function enqueueMail(db: DatabaseClient, message: MailMessage): Promise<void> {
  await db.outboxMessage.create({ data: { id: crypto.randomUUID(), ...message }, select: { id: true } });
}

export interface OutboxWorkerOptions {
  db: Database;
  smtpUrl: string;
  from: string;
  /** How often the worker looks for due mail. */
  pollIntervalMs?: number;
  /** The first retry waits this long, each later one twice as long, up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  log?: Pick<Console, "error">;
}

export interface OutboxWorker {
  /** Finishes the pass under way (no message is left half-sent), then stops and closes the SMTP pool. */
  stop(): Promise<void>;
}

interface ClaimedMessage extends MailMessage {
  id: string;
  attempts: number;
}

/** The wait before the next attempt after `attempts` failed ones. */
export function getRetryDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * One delivery pass: claims due messages (FOR UPDATE SKIP LOCKED, so several API instances share the
 * outbox without sending a message twice), sends each, deletes what was accepted and schedules a
 * retry for the rest. Returns how many were sent.
 */
export async function deliverDueMail(
  db: Database,
  transporter: Pick<Transporter, "sendMail">,
  options: { from: string; retryBaseMs: number; retryMaxMs: number; log: Pick<Console, "error"> },
): Promise<number> {
  const now = new Date();
  const messages = await db.$queryRaw<ClaimedMessage[]>`UPDATE "OutboxMessage"
    SET "attempts" = "attempts" + 1, "nextAttemptAt" = ${new Date(now.getTime() + CLAIM_LEASE_MS)}
    WHERE "id" IN (SELECT "id" FROM "OutboxMessage" WHERE "nextAttemptAt" <= ${now}
      ORDER BY "nextAttemptAt" LIMIT ${BATCH_SIZE} FOR UPDATE SKIP LOCKED)
    RETURNING "id", "to", "subject", "text", "html", "attempts"`;
  let sent = 0;
  for (const message of messages) {
    try {
      await transporter.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
      // Deleted once accepted: the row held a live link only while it had to.
      await db.outboxMessage.deleteMany({ where: { id: message.id } });
      sent += 1;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const delayMs = getRetryDelayMs(message.attempts, options.retryBaseMs, options.retryMaxMs);
      options.log.error(`mail ${message.id}: attempt ${message.attempts} failed (${reason}); retrying in ${Math.ceil(delayMs / SECOND_MS)} s`);
      await db.outboxMessage.updateMany({
        where: { id: message.id },
        data: { nextAttemptAt: new Date(Date.now() + delayMs), lastError: reason.slice(0, LAST_ERROR_MAX_LENGTH) },
      });
    }
  }
  return sent;
}

/** Starts delivering the outbox until stop(); a failed pass (database down) is logged and retried. */
export function startOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const pollIntervalMs = options.pollIntervalMs ?? SECOND_MS;
  const settings = {
    from: options.from,
    retryBaseMs: options.retryBaseMs ?? 5 * SECOND_MS,
    retryMaxMs: options.retryMaxMs ?? 15 * MINUTE_MS,
    log: options.log ?? console,
  };
  // nodemailer (~4 MiB of heap) loads with the first message to send, not with every instance
  // (docs/decisions/034-server-memory-under-load.md).
  let smtp: Promise<Transporter> | null = null;
  const transporter = {
    sendMail: async (mail: SendMailOptions) => {
      smtp ??= import("nodemailer")
        .then(({ default: nodemailer }) =>
          nodemailer.createTransport({
            url: options.smtpUrl,
            connectionTimeout: SMTP_TIMEOUT_MS,
            greetingTimeout: SMTP_TIMEOUT_MS,
            socketTimeout: SMTP_TIMEOUT_MS,
          }),
        )
        .catch((error: unknown) => {
          smtp = null; // tried again with the next message
          throw error;
        });
      return (await smtp).sendMail(mail);
    },
  };
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await deliverDueMail(options.db, transporter, settings);
      } catch (error) {
        settings.log.error("mail outbox: delivery pass failed:", error instanceof Error ? error.message : error);
      }
      await sleep(pollIntervalMs, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await loop;
      await smtp?.then((transport) => transport.close(), () => {});
    },
  };
}
