// Serves the built web app in production: hashed assets cached for a year, index.html never,
// and any other GET path falls back to index.html so client-side routes survive a reload. Text
// files are sent as the brotli or gzip copy the build wrote beside them (apps/web/precompress.ts)
// when the request's Accept-Encoding allows it.
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

// The types the build precompresses (apps/web/precompress.ts); images and fonts are compressed already.
const COMPRESSIBLE_EXTENSIONS = new Set([".html", ".js", ".css", ".svg", ".json", ".txt"]);
// Our preference when a client accepts both: brotli files are smaller.
const PRECOMPRESSED = [
  { encoding: "br", suffix: ".br" },
  { encoding: "gzip", suffix: ".gz" },
] as const;
type ContentEncoding = (typeof PRECOMPRESSED)[number]["encoding"];

/** The encodings an Accept-Encoding header allows (RFC 9110 §12.5.3): listed with q > 0, or by `*`. */
export function getAcceptedEncodings(header: string | undefined): Set<ContentEncoding> {
  const weights = new Map<string, number>();
  for (const part of (header ?? "").split(",")) {
    const [name = "", ...parameters] = part.split(";").map((item) => item.trim().toLowerCase());
    if (name === "") continue;
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name, Number.isNaN(weight) ? 0 : weight);
  }
  const accepted = new Set<ContentEncoding>();
  for (const { encoding } of PRECOMPRESSED) {
    const weight = weights.get(encoding) ?? weights.get("*") ?? 0;
    if (weight > 0) accepted.add(encoding);
  }
  return accepted;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The file to send for `file`: its precompressed copy in an accepted encoding, or itself. */
async function chooseRepresentation(file: string, accepted: Set<ContentEncoding>) {
  for (const { encoding, suffix } of PRECOMPRESSED) {
    if (accepted.has(encoding) && (await isFile(file + suffix))) return { path: file + suffix, encoding };
  }
  return { path: file, encoding: null };
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
    // Never serve anything outside the build folder, nor a precompressed copy by its own name.
    const inside = requested.startsWith(root + path.sep) && !PRECOMPRESSED.some(({ suffix }) => requested.endsWith(suffix));
    const file = inside && (await isFile(requested)) ? requested : indexFile;
    const isAsset = file !== indexFile && pathname.startsWith("/assets/");
    if (file === indexFile && path.extname(pathname) !== "" && pathname !== "/index.html") {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found");
      return;
    }
    const extension = path.extname(file);
    const compressible = COMPRESSIBLE_EXTENSIONS.has(extension);
    const representation = compressible
      ? await chooseRepresentation(file, getAcceptedEncodings(req.headers["accept-encoding"]))
      : { path: file, encoding: null };
    // Read whole before the status is sent (the build's files are small): a file that vanished
    // since the check is a 404, one that fails to read rejects to the caller (500), never a crash.
    let content: Buffer;
    try {
      content = await readFile(representation.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found");
      return;
    }
    res.writeHead(200, {
      "Content-Type": CONTENT_TYPES[extension] ?? "application/octet-stream",
      "Cache-Control": isAsset ? "public, max-age=31536000, immutable" : "no-cache",
      "Content-Length": content.length,
      // Caches must key compressible files by Accept-Encoding, whichever representation this was.
      ...(compressible ? { Vary: "Accept-Encoding" } : {}),
      ...(representation.encoding ? { "Content-Encoding": representation.encoding } : {}),
    });
    res.end(req.method === "HEAD" ? undefined : content);
  };
}
