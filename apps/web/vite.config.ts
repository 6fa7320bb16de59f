// Dev server and production build for the web app. In development `/trpc`, `/.well-known` and the
// OAuth routes (`/auth/oauth`) are proxied to the API so the browser sees one origin (first-party
// cookies, no CORS). The build is split per route (src/app.tsx) and precompressed (precompress.ts).
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv } from "vite";
import { precompress } from "./precompress.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const DEV_SERVER_PORT = 5173;
const DEFAULT_API_PORT = "3000";

export default defineConfig(({ mode }) => {
  // The repo-root .env (or the shell) tells us where the API listens; nothing here reaches the bundle.
  const env = loadEnv(mode, REPO_ROOT, "API_");
  const apiOrigin = `http://127.0.0.1:${env.API_PORT ?? DEFAULT_API_PORT}`;
  return {
    plugins: [react(), precompress()],
    server: {
      port: DEV_SERVER_PORT,
      strictPort: true,
      proxy: {
        "/trpc": apiOrigin,
        "/.well-known": apiOrigin,
        "/auth/oauth": apiOrigin,
      },
    },
    build: { outDir: "dist" },
  };
});
