// Graceful shutdown on a real node:http server: in-flight requests finish, keep-alive ends, idle
// connections close, new connections are refused, and the registered workers and pools stop after
// the last request, in order. The whole app under a load balancer: tests/e2e/scale-out.test.ts.
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createShutdown, type ShutdownTimings } from "./shutdown.ts";

const SLOW_MS = 400;
let server: Server | undefined;
let agent: Agent | undefined;

afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  agent?.destroy();
});

/** A server with a slow endpoint and one that never answers, and its shutdown. */
async function startServer(timings: ShutdownTimings) {
  server = createServer((req, res) => {
    if (req.url === "/slow") setTimeout(() => res.end("slow done"), SLOW_MS);
    else if (req.url !== "/never") res.end("ok");
  });
  const shutdown = createShutdown(server, timings, () => {});
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { shutdown, port: (server.address() as AddressInfo).port };
}

interface Answer {
  status: number;
  body: string;
  connection: string | undefined;
  socket: Socket;
}

function get(port: number, path: string, httpAgent?: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: "127.0.0.1", port, path, agent: httpAgent }, (incoming) => {
      let body = "";
      incoming.on("data", (chunk: Buffer) => (body += chunk.toString()));
      incoming.on("end", () =>
        resolve({ status: incoming.statusCode ?? 0, body, connection: incoming.headers.connection, socket: outgoing.socket! }),
      );
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));

describe("graceful shutdown", () => {
  it("finishes the request in flight, then refuses new connections and stops workers and pools in order", async () => {
    const { shutdown, port } = await startServer({ drainDelayMs: 0, timeoutMs: 5_000 });
    const events: string[] = [];
    shutdown.register("worker", async () => {
      events.push("worker stopping");
      await new Promise((resolve) => setTimeout(resolve, 50));
      events.push("worker stopped");
    });
    shutdown.register("pool", () => events.push("pool closed"));

    server!.on("request", (_req, res) => res.once("finish", () => events.push("response sent")));
    const inFlight = get(port, "/slow");
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(shutdown.draining).toBe(false);
    const done = shutdown.run();
    expect(shutdown.draining).toBe(true);
    await expect(get(port, "/")).rejects.toMatchObject({ code: "ECONNREFUSED" });

    const answer = await inFlight;
    expect(answer).toMatchObject({ status: 200, body: "slow done", connection: "close" });
    await done;
    expect(events).toEqual(["response sent", "worker stopping", "worker stopped", "pool closed"]);
    expect(shutdown.run()).toBe(done);
  });

  it("closes idle keep-alive connections and ends keep-alive on connections that are busy", async () => {
    const { shutdown, port } = await startServer({ drainDelayMs: 0, timeoutMs: 5_000 });
    agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const idle = await get(port, "/", agent);
    expect(idle.connection).toBe("keep-alive");
    const busy = get(port, "/slow", agent);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const done = shutdown.run();
    await closed(idle.socket);
    const answer = await busy;
    expect(answer.connection).toBe("close");
    await closed(answer.socket);
    await done;
  });

  it("keeps serving through the drain delay, answering with Connection: close, then stops accepting", async () => {
    const { shutdown, port } = await startServer({ drainDelayMs: 500, timeoutMs: 5_000 });
    agent = new Agent({ keepAlive: true });
    const done = shutdown.run();
    const during = await get(port, "/", agent);
    expect(during).toMatchObject({ status: 200, connection: "close" });
    await done;
    await expect(get(port, "/")).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("cuts requests that outlive the time-out, and still stops what was registered", async () => {
    const { shutdown, port } = await startServer({ drainDelayMs: 0, timeoutMs: 300 });
    const stopped: string[] = [];
    shutdown.register("broken worker", () => {
      throw new Error("already gone");
    });
    shutdown.register("pool", () => stopped.push("pool"));
    const hanging = get(port, "/never").catch((error: NodeJS.ErrnoException) => error.code);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await shutdown.run();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await hanging).toBe("ECONNRESET");
    expect(stopped).toEqual(["pool"]);
  });
});
