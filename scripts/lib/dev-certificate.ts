// A self-signed TLS certificate for localhost, for HTTPS mode in local testing (`pnpm cert`) and for
// the tests that exercise the `__Host-` cookie, `Secure` and HSTS over real TLS. Never for production.
import { generate } from "selfsigned";

const DAY_MS = 24 * 60 * 60 * 1000;
// Browsers refuse leaf certificates valid for longer than 398 days.
const VALIDITY_DAYS = 397;
export const DEV_CERTIFICATE_HOSTS = ["localhost", "127.0.0.1", "::1"] as const;

export interface DevCertificate {
  /** PEM certificate: also the CA a client trusts to reach the server. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

export async function createDevCertificate(now = new Date()): Promise<DevCertificate> {
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + VALIDITY_DAYS * DAY_MS),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: DEV_CERTIFICATE_HOSTS.map((host) => (host === "localhost" ? { type: 2 as const, value: host } : { type: 7 as const, ip: host })),
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
