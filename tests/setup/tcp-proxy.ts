// A loopback TCP proxy that a test can slow down or stall: stands between the app and its database
// (or Redis) to make a dependency slow or silent without stopping it.
import { createServer, connect, type AddressInfo, type Socket } from "node:net";

export type ProxyMode =
  /** Bytes flow both ways at once. */
  | { type: "pass" }
  /** Every chunk, either way, waits this long. */
  | { type: "delay"; ms: number }
  /** Connections are accepted and bytes are held (a hung server, a black-holed network). */
  | { type: "stall" }
  /** Every connection is cut at once, new ones as soon as they arrive (a crashed or restarting server). */
  | { type: "down" };

export interface TcpProxy {
  port: number;
  setMode(mode: ProxyMode): void;
  /** Closes every proxied connection at once (a crash or a cut cable, as the client sees it). */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = { type: "pass" };
  const sockets = new Set<Socket>();
  const held: (() => void)[] = [];

  const forward = (from: Socket, to: Socket) => {
    from.on("data", (chunk) => {
      const send = () => to.destroyed || to.write(chunk);
      if (mode.type === "pass") send();
      else if (mode.type === "delay") setTimeout(send, mode.ms);
      else held.push(send);
    });
  };
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };

  const server = createServer((client) => {
    if (mode.type === "down") {
      client.destroy();
      return;
    }
    const upstream = connect(target);
    track(client);
    track(upstream);
    forward(client, upstream);
    forward(upstream, client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    port: (server.address() as AddressInfo).port,
    setMode(next) {
      mode = next;
      if (next.type === "down") for (const socket of sockets) socket.destroy();
      // Leaving a stall releases what it held, in order (or drops it, going down).
      if (next.type !== "stall") for (const send of held.splice(0)) send();
    },
    dropConnections() {
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
