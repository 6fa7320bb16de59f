// Reads a request body into memory at the edge, bounded, before tRPC parses it: tRPC's fetch
// adapter has no body limit of its own (its Node adapter had one).
import type { IncomingMessage } from "node:http";

/** The whole body, or "too-large" as soon as it (declared or as received) exceeds `maxBytes`. */
export function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | "too-large"> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.resolve("too-large");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanUp();
        // Unread bytes stay on the socket: the caller answers and closes the connection.
        req.pause();
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanUp();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onClose = () => {
      cleanUp();
      reject(new Error("The client closed the connection before the body arrived."));
    };
    const cleanUp = () => {
      req.off("data", onData).off("end", onEnd).off("error", onClose).off("close", onClose);
    };
    req.on("data", onData).on("end", onEnd).on("error", onClose).on("close", onClose);
  });
}
