// The built web app over real HTTP: precompressed copies negotiated by Accept-Encoding, caching
// per file kind. The build step that writes the copies is the web app's own (precompress.ts).
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { get, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { precompressDirectory } from "../../web/precompress.ts";
import { createTestConfig, createTestDatabase } from "../../../tests/setup/server.ts";
import { useTestServer } from "../../../tests/setup/http.ts";
import { getAcceptedEncodings } from "./static-files.ts";

const SCRIPT = `console.log(${JSON.stringify("latchkey ".repeat(200))});`;
const INDEX = `<!doctype html><title>latchkey</title><script type="module" src="/assets/app-1234.js"></script>${" ".repeat(2000)}`;

const dist = mkdtempSync(path.join(tmpdir(), "latchkey-dist-"));
mkdirSync(path.join(dist, "assets"));
writeFileSync(path.join(dist, "index.html"), INDEX);
writeFileSync(path.join(dist, "assets", "app-1234.js"), SCRIPT);
writeFileSync(path.join(dist, "assets", "logo-1234.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
precompressDirectory(dist);

const server = useTestServer({ db: createTestDatabase(), config: createTestConfig({ WEB_DIST_DIR: dist }) });

/** A GET with the body as sent (fetch would decode it), with the given request headers. */
function getRaw(pathname: string, headers: Record<string, string> = {}, method = "GET") {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const request = get(`${server.url}${pathname}`, { headers, method }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}

describe("precompressed static files", () => {
  it("sends the brotli copy when br is accepted, with Vary and its own length", async () => {
    const response = await getRaw("/assets/app-1234.js", { "accept-encoding": "gzip, deflate, br, zstd" });
    expect(response.status).toBe(200);
    expect(response.headers["content-encoding"]).toBe("br");
    expect(response.headers.vary).toBe("Accept-Encoding");
    expect(response.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(Number(response.headers["content-length"])).toBe(response.body.length);
    expect(response.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(brotliDecompressSync(response.body).toString()).toBe(SCRIPT);
  });

  it("sends gzip when only gzip is accepted, or when br is refused with q=0", async () => {
    for (const acceptEncoding of ["gzip", "br;q=0, gzip;q=0.5", "BR;Q=0, *"]) {
      const response = await getRaw("/assets/app-1234.js", { "accept-encoding": acceptEncoding });
      expect(response.headers["content-encoding"], acceptEncoding).toBe("gzip");
      expect(gunzipSync(response.body).toString()).toBe(SCRIPT);
    }
  });

  it("sends the file as it is without Accept-Encoding, or when every encoding is refused", async () => {
    for (const headers of [{} as Record<string, string>, { "accept-encoding": "identity" }, { "accept-encoding": "gzip;q=0, br;q=0" }, { "accept-encoding": "*;q=0" }]) {
      const response = await getRaw("/assets/app-1234.js", headers);
      expect(response.headers["content-encoding"]).toBeUndefined();
      expect(response.headers.vary).toBe("Accept-Encoding");
      expect(response.body.toString()).toBe(SCRIPT);
    }
  });

  it("caches hashed assets as immutable for a year and never index.html, compressed or not", async () => {
    const asset = await getRaw("/assets/app-1234.js", { "accept-encoding": "br" });
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    for (const pathname of ["/", "/index.html", "/sessions"]) {
      const page = await getRaw(pathname, { "accept-encoding": "br" });
      expect(page.headers["cache-control"], pathname).toBe("no-cache");
      expect(page.headers["content-encoding"]).toBe("br");
      expect(brotliDecompressSync(page.body).toString()).toBe(INDEX);
    }
  });

  it("answers HEAD with the chosen representation's headers and no body", async () => {
    const response = await getRaw("/assets/app-1234.js", { "accept-encoding": "gzip" }, "HEAD");
    expect(response.headers["content-encoding"]).toBe("gzip");
    expect(Number(response.headers["content-length"])).toBeGreaterThan(0);
    expect(response.body.length).toBe(0);
  });

  it("does not compress images and does not serve a compressed copy by its own name", async () => {
    const image = await getRaw("/assets/logo-1234.png", { "accept-encoding": "br, gzip" });
    expect(image.headers["content-encoding"]).toBeUndefined();
    expect(image.headers.vary).toBeUndefined();
    expect(image.headers["content-type"]).toBe("image/png");
    for (const suffix of [".br", ".gz"]) expect((await getRaw(`/assets/app-1234.js${suffix}`)).status).toBe(404);
  });
});

describe("getAcceptedEncodings", () => {
  it("reads q-values, case-insensitively, with * for the encodings not named", () => {
    expect([...getAcceptedEncodings("gzip, br")]).toEqual(["br", "gzip"]);
    expect([...getAcceptedEncodings(" Gzip ;q=1.0 ,br; q=0")]).toEqual(["gzip"]);
    expect([...getAcceptedEncodings("*")]).toEqual(["br", "gzip"]);
    expect([...getAcceptedEncodings("br;q=0.1, *;q=0")]).toEqual(["br"]);
    expect([...getAcceptedEncodings("gzip;q=nonsense")]).toEqual([]);
    expect([...getAcceptedEncodings(undefined)]).toEqual([]);
  });
});
