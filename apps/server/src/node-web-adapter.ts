// Mounts a web-standard handler (Request in, Response out: oauth-routes.ts) on node:http. Bodiless
// requests only: the routes mounted here are GET redirects.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ClientConnection } from "./oauth-routes.ts";

function toWebRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const item of [value ?? []].flat()) headers.append(name, item);
  }
  return new Request(new URL(req.url ?? "/", origin), { method: req.method ?? "GET", headers });
}

/** Runs `handler` and writes its answer over the headers the edge has already set. */
export async function sendWebResponse(
  req: IncomingMessage,
  res: ServerResponse,
  origin: string,
  handler: (request: Request, connection: ClientConnection) => Promise<Response>,
): Promise<void> {
  const response = await handler(toWebRequest(req, origin), { remoteAddress: req.socket.remoteAddress });
  for (const [name, value] of response.headers) {
    if (name !== "set-cookie") res.setHeader(name, value);
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("Set-Cookie", cookies);
  res.writeHead(response.status).end(req.method === "HEAD" ? undefined : Buffer.from(await response.arrayBuffer()));
}
