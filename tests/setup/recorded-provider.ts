// A local HTTP server that plays a provider's recorded answers (GitHub's, Google's) on loopback, so
// provider-specific parsing is tested through arctic and fetch without the network. Each route
// answers with a function of the request; every request is kept for assertions.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordedAnswer {
  status?: number;
  json: unknown;
}

export type RecordedRoutes = Record<string, (request: RecordedRequest) => RecordedAnswer>;

export async function startRecordedProvider(routes: RecordedRoutes) {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      requests.push(request);
      const route = routes[`${request.method} ${request.path.split("?")[0]}`];
      const answer = route ? route(request) : { status: 404, json: { message: "Not Found" } };
      res.writeHead(answer.status ?? 200, { "Content-Type": "application/json; charset=utf-8" }).end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
