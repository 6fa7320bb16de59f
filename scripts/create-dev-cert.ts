// `pnpm cert`: writes a self-signed certificate for localhost, 127.0.0.1 and ::1 to .data/tls/ for
// HTTPS mode (README). Keeps a certificate that is still valid for a week; `--force` replaces it.
import { X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createDevCertificate } from "./lib/dev-certificate.ts";
import { DATA_DIR, REPO_ROOT } from "./lib/repo-root.ts";

const TLS_DIR = path.join(DATA_DIR, "tls");
const CERT_FILE = path.join(TLS_DIR, "cert.pem");
const KEY_FILE = path.join(TLS_DIR, "key.pem");
const RENEW_BEFORE_MS = 7 * 24 * 60 * 60 * 1000;

function validUntil(file: string): Date | null {
  if (!existsSync(file) || !existsSync(KEY_FILE)) return null;
  try {
    return new Date(new X509Certificate(readFileSync(file)).validTo);
  } catch {
    return null;
  }
}

const expiry = validUntil(CERT_FILE);
const relative = (file: string) => path.relative(REPO_ROOT, file);
if (!process.argv.includes("--force") && expiry && expiry.getTime() - Date.now() > RENEW_BEFORE_MS) {
  console.log(`${relative(CERT_FILE)} is valid until ${expiry.toISOString()}; kept (--force replaces it).`);
} else {
  const { cert, key } = await createDevCertificate();
  mkdirSync(TLS_DIR, { recursive: true, mode: 0o700 });
  writeFileSync(KEY_FILE, key, { mode: 0o600 });
  writeFileSync(CERT_FILE, cert);
  console.log(`Wrote ${relative(CERT_FILE)} and ${relative(KEY_FILE)} (self-signed, for localhost, 127.0.0.1 and ::1).`);
}
console.log(`Serve HTTPS with TLS_CERT_FILE=${relative(CERT_FILE)} TLS_KEY_FILE=${relative(KEY_FILE)} and an https:// APP_ORIGIN (README, "HTTPS mode").`);
