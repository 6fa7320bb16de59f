// Local TCP ports, checked up front so `pnpm dev` fails with one clear line instead of a crash
// deep inside a child process.
import { connect } from "node:net";

/** Whether something accepts connections on `port` at localhost (IPv4 or IPv6). */
export function isPortInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "localhost", port, autoSelectFamily: true });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
