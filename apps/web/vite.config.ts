// Dev server and production build for the web app. In development `/trpc`, `/.well-known` and the
// OAuth routes (`/auth/oauth`) are proxied to the API so the browser sees one origin (first-party
// cookies, no CORS). The build is split per route (src/app.tsx) and precompressed (precompress.ts).
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv, type ProxyOptions } from "vite";
import { precompress } from "./precompress.ts";
import { waitForApi } from "./vite-api-proxy.ts";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
// The same defaults as scripts/lib/dev-ports.ts, which chooses the ports `pnpm dev` hands over.
const DEFAULT_WEB_PORT = "5173";
const DEFAULT_API_PORT = "3000";

export default defineConfig(({ mode }) => {
  // The repo-root .env (or the shell) tells us the ports; nothing here reaches the bundle.
  const env = loadEnv(mode, REPO_ROOT, ["API_", "WEB_"]);
  const apiPort = Number(env.API_PORT || DEFAULT_API_PORT);
  const toApi: ProxyOptions = { target: `http://127.0.0.1:${apiPort}`, bypass: (req, res) => waitForApi(apiPort, req, res) };
  return {
    plugins: [react(), precompress()],
    server: {
      port: Number(env.WEB_PORT || DEFAULT_WEB_PORT),
      // APP_ORIGIN names this port: serving elsewhere would break sign-in (`pnpm dev` checked it is free).
      strictPort: true,
      proxy: { "/trpc": toApi, "/.well-known": toApi, "/auth/oauth": toApi },
    },
    build: { outDir: "dist" },
  };
});
