// A Vite build step: every compressible file of the production build gets a brotli (.br) and a
// gzip (.gz) copy at maximum compression, so the API serves them without compressing per request
// (apps/server/src/static-files.ts negotiates Accept-Encoding).
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin } from "vite";

const COMPRESSIBLE_EXTENSIONS = new Set([".html", ".js", ".css", ".svg", ".json", ".txt"]);

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? listFiles(file) : [file];
  });
}

/** Writes `<file>.br` and `<file>.gz` beside each compressible file under `dir`. */
export function precompressDirectory(dir: string): void {
  for (const file of listFiles(dir)) {
    if (!COMPRESSIBLE_EXTENSIONS.has(path.extname(file))) continue;
    const content = readFileSync(file);
    writeFileSync(
      `${file}.br`,
      brotliCompressSync(content, {
        params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: content.length },
      }),
    );
    writeFileSync(`${file}.gz`, gzipSync(content, { level: constants.Z_BEST_COMPRESSION }));
  }
}

export function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "latchkey-precompress",
    apply: "build",
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      precompressDirectory(outDir);
    },
  };
}
