// Serves the built web app in production: hashed assets cached for a year, index.html never,
// and any other GET path falls back to index.html so client-side routes survive a reload.
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
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
    // Read whole before the status is sent (the build's files are small): a file that vanished
    // since the check is a 404, one that fails to read rejects to the caller (500), never a crash.
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found");
      return;
    }
    res.writeHead(200, {
      "Content-Type": CONTENT_TYPES[path.extname(file)] ?? "application/octet-stream",
      "Cache-Control": isAsset ? "public, max-age=31536000, immutable" : "no-cache",
      "Content-Length": content.length,
    });
    res.end(req.method === "HEAD" ? undefined : content);
  };
}
