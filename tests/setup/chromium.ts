// How the browser tests start Chromium: Debian's (CHROMIUM_PATH to override), headless, quiet.
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  // The server listens on IPv4 loopback; "localhost" (a WebAuthn relying party ID) must not try ::1 first.
  "--host-resolver-rules=MAP localhost 127.0.0.1",
];
