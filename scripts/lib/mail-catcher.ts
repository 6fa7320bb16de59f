// A real SMTP server on loopback that keeps every message it receives (smtp-server + mailparser):
// `pnpm dev` runs it with an inbox page, and tests read what the API's outbox really sent over TCP.
// Nothing mocks the mailer. Development and tests only: it accepts mail from anyone who can reach it.
import { EventEmitter } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CaughtMail {
  id: number;
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: Date;
}

export interface MailCatcher {
  /** What to set as SMTP_URL. */
  smtpUrl: string;
  port: number;
  /** Everything received, oldest first. */
  readonly messages: readonly CaughtMail[];
  /** The first message (already received or still to come) that matches; rejects after `timeoutMs`. */
  waitForMail(predicate: (mail: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  /** Stops accepting connections on the port, as a mail server that is down (messages are kept). */
  pause(): Promise<void>;
  /** Listens on the same port again. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";
const DEFAULT_WAIT_MS = 10_000;
// A stopped catcher must free its port promptly (tests start another on it).
const CLOSE_TIMEOUT_MS = 500;
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Starts the catcher on `port` (0: any free one). */
export async function startMailCatcher(options: { port?: number } = {}): Promise<MailCatcher> {
  const messages: CaughtMail[] = [];
  const received = new EventEmitter();
  const createSmtpServer = () => new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS to negotiate, no login to give.
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    size: MAX_MESSAGE_BYTES,
    closeTimeout: CLOSE_TIMEOUT_MS,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const mail: CaughtMail = {
            id: messages.length + 1,
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
            html: typeof parsed.html === "string" ? parsed.html : "",
            receivedAt: new Date(),
          };
          messages.push(mail);
          received.emit("mail", mail);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  const listen = (server: SMTPServer, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, HOST, () => resolve());
    });
  const close = (server: SMTPServer) => new Promise<void>((resolve) => server.close(() => resolve()));
  let server: SMTPServer | null = createSmtpServer();
  await listen(server, options.port ?? 0);
  const { port } = server.server.address() as AddressInfo;

  const catcher: MailCatcher = {
    smtpUrl: `smtp://${HOST}:${port}`,
    port,
    messages,
    waitForMail(predicate, timeoutMs = DEFAULT_WAIT_MS) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const onMail = (mail: CaughtMail) => {
          if (!predicate(mail)) return;
          clearTimeout(timer);
          received.off("mail", onMail);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          received.off("mail", onMail);
          reject(new Error(`no matching mail arrived within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        received.on("mail", onMail);
      });
    },
    async pause() {
      if (server) await close(server);
      server = null;
    },
    async resume() {
      if (server) return;
      server = createSmtpServer();
      await listen(server, port);
    },
    stop: () => catcher.pause(),
  };
  return catcher;
}

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
const URL_PATTERN = /https?:\/\/[^\s<>"']+/g;

function renderInbox(messages: readonly CaughtMail[]): string {
  const items = [...messages]
    .reverse()
    .map((mail) => {
      // Escaped first, then the (escaped) links made clickable.
      const body = escapeHtml(mail.text).replace(URL_PATTERN, (url) => `<a href="${url}">${url}</a>`);
      return `<article><h2>${escapeHtml(mail.subject)}</h2><p class="meta">To ${escapeHtml(mail.to.join(", "))} · ${mail.receivedAt.toLocaleString()}</p><pre>${body}</pre></article>`;
    })
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Dev inbox (${messages.length})</title>
<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem;color:#1d2433}article{border:1px solid #d8dde6;border-radius:8px;padding:0 1rem;margin:1rem 0}h2{font-size:1.1rem}.meta{color:#5b6475;font-size:.9rem}pre{white-space:pre-wrap;font:inherit}</style></head>
<body><h1>Dev inbox</h1><p class="meta">Mail the API sent in development, newest first. Reload to see new mail.</p>${items || "<p>No mail yet.</p>"}</body></html>`;
}

/** The inbox page for `pnpm dev`: every caught message, newest first, links clickable. */
export async function startInboxPage(catcher: MailCatcher, options: { port?: number } = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url !== "/" && req.url !== "/messages.json")) {
      res.writeHead(404).end();
      return;
    }
    if (req.url === "/messages.json") {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(catcher.messages));
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(renderInbox(catcher.messages));
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(options.port ?? 0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}/`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
