// Serves the built web app in production: hashed assets cached for a year, index.html never,
// and any other GET path falls back to index.html so client-side routes survive a reload.
import { open, stat, type FileHandle } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { decodeRequestPath } from "./request-shape.ts";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export function createStaticFileHandler(rootDir: string) {
  const root = path.resolve(rootDir);
  const indexFile = path.join(root, "index.html");

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const pathname = decodeRequestPath(req.url ?? "/");
    if (pathname === null) {
      res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8" }).end("Bad request");
      return;
    }
    const requested = path.resolve(root, `.${pathname}`);
    // Never serve anything outside the build folder.
    const inside = requested.startsWith(root + path.sep);
    const file = inside && (await isFile(requested)) ? requested : indexFile;
    const isAsset = file !== indexFile && pathname.startsWith("/assets/");
    if (file === indexFile && path.extname(pathname) !== "" && pathname !== "/index.html") {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found");
      return;
    }
    // Opened before the status is sent: a file that vanished since the check is a 404, not a crash.
    let handle: FileHandle;
    try {
      handle = await open(file);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found");
      return;
    }
    res.writeHead(200, {
      "Content-Type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
      "Cache-Control": isAsset ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (req.method === "HEAD") {
      await handle.close();
      res.end();
      return;
    }
    // A read that fails half-way ends this response (the status is sent already) and rejects to
    // the caller, which logs one line; it is never an unhandled stream error.
    await pipeline(handle.createReadStream(), res);
  };
}
