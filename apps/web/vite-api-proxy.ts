// The dev proxy's patience with the API. `pnpm dev` starts Vite and the API together and Vite is
// ready first, so a request that arrives early waits for the API to listen instead of failing
// with an ECONNREFUSED stack in the terminal; if the API is still down after API_WAIT_MS (it
// crashed, or is restarting after an edit), the request gets a quiet 503 the app treats as
// retryable.
import type { IncomingMessage, ServerResponse } from "node:http";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

const API_WAIT_MS = 10_000;
const POLL_INTERVAL_MS = 100;

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Vite's proxy `bypass` hook: resolves undefined (proxy it) once the API listens on `port`, or
 * answers 503 itself and resolves the URL unchanged, which tells Vite the response is done.
 */
export async function waitForApi(
  port: number,
  req: IncomingMessage,
  res: ServerResponse | undefined,
  waitMs = API_WAIT_MS,
): Promise<string | undefined> {
  const deadline = Date.now() + waitMs;
  while (!(await isListening(port))) {
    if (Date.now() >= deadline || req.destroyed) {
      if (res && !res.headersSent) {
        res.writeHead(503, { "content-type": "text/plain; charset=utf-8", "retry-after": "1", "cache-control": "no-store" });
        res.end(`The API is not listening on port ${port} yet; see the [api] lines of pnpm dev.\n`);
      }
      return req.url;
    }
    await sleep(POLL_INTERVAL_MS);
  }
  return undefined;
}
