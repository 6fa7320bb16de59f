// Reading the mail the API sent in a test: it arrives over SMTP at the run's catcher
// (tests/setup/global-mail.ts), and these helpers find it, take links and codes out of it, and
// take the mail server down and up.
import { inject } from "vitest";
import type { CaughtMail } from "../../scripts/lib/mail-catcher.ts";
import type {} from "./provided-context.ts";

const POLL_INTERVAL_MS = 100;
// Long enough for the worker's poll and, after an outage, its back-off.
const DEFAULT_WAIT_MS = 15_000;

type ReceivedMail = Omit<CaughtMail, "receivedAt"> & { receivedAt: string };

export async function readReceivedMail(): Promise<ReceivedMail[]> {
  const response = await fetch(`${inject("mailControlUrl")}/messages`);
  return (await response.json()) as ReceivedMail[];
}

/** Every message that has arrived for `address`, oldest first. */
export async function readMailTo(address: string): Promise<ReceivedMail[]> {
  return (await readReceivedMail()).filter((mail) => mail.to.includes(address));
}

/** The `count`-th message (1 = the first) to arrive for `address` whose subject matches. */
export async function waitForMail(address: string, subject: RegExp, { count = 1, timeoutMs = DEFAULT_WAIT_MS } = {}): Promise<ReceivedMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const matching = (await readMailTo(address)).filter((mail) => subject.test(mail.subject));
    if (matching.length >= count) return matching[count - 1]!;
    if (Date.now() > deadline) throw new Error(`no mail #${count} to ${address} matching ${subject} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** The token of the link to `path` (…/reset-password#token=…) in a message's text. */
export function readMailToken(mail: Pick<CaughtMail, "text">, path: string): string {
  const match = new RegExp(`${path}#token=([a-z2-7]+\\.[a-z2-7]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  return match[1]!;
}

export function readMailCode(mail: Pick<CaughtMail, "text">): string {
  const match = /Your code: (\d{6})/.exec(mail.text);
  if (!match) throw new Error(`no code in: ${mail.text}`);
  return match[1]!;
}

/** The mail server goes down (connections refused) or comes back on the same port. */
export async function setMailServerUp(up: boolean): Promise<void> {
  const response = await fetch(`${inject("mailControlUrl")}/smtp/${up ? "resume" : "pause"}`, { method: "POST" });
  if (!response.ok) throw new Error(`mail server switch failed: ${response.status}`);
}
