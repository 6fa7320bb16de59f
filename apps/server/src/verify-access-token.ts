// "Another service": verifies a latchkey access token with nothing but the published JWK Set, as a
// resource server would (no database, no shared secret). Prints the claims, or why it is refused.
//   pnpm exec tsx apps/server/src/verify-access-token.ts <jwks-url> <token> [--issuer <iss>] [--audience <aud>]
// The issuer defaults to the JWKS URL's origin (APP_ORIGIN serves both), the audience to latchkey-api.
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { ACCESS_TOKEN_REJECTIONS, verifyAccessToken, type AccessTokenVerification } from "./auth/access-token.ts";
import { parseJsonWebKeySet, type VerificationKey } from "./auth/signing-key.ts";

const DEFAULT_AUDIENCE = "latchkey-api";
const FETCH_TIMEOUT_MS = 5_000;

/** The Ed25519 keys a JWK Set publishes. A real service caches them (Cache-Control) and refetches on an unknown kid. */
export async function fetchVerificationKeys(jwksUrl: string): Promise<VerificationKey[]> {
  const response = await fetch(jwksUrl, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${jwksUrl} answered ${response.status}`);
  return parseJsonWebKeySet(await response.json());
}

export async function verifyAccessTokenWithJwks(
  token: string,
  options: { jwksUrl: string; issuer?: string; audience?: string; now?: Date },
): Promise<AccessTokenVerification> {
  const keys = await fetchVerificationKeys(options.jwksUrl);
  return verifyAccessToken(
    token,
    keys,
    { issuer: options.issuer ?? new URL(options.jwksUrl).origin, audience: options.audience ?? DEFAULT_AUDIENCE },
    options.now ?? new Date(),
  );
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { issuer: { type: "string" }, audience: { type: "string" } },
  });
  const [jwksUrl, token] = positionals;
  if (!jwksUrl || !token || !URL.canParse(jwksUrl)) {
    console.error("Usage: tsx apps/server/src/verify-access-token.ts <jwks-url> <token> [--issuer <iss>] [--audience <aud>]");
    return 2;
  }
  let result: AccessTokenVerification;
  try {
    result = await verifyAccessTokenWithJwks(token, { jwksUrl, issuer: values.issuer, audience: values.audience });
  } catch (error) {
    console.error(`Could not fetch the JWK Set: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (!result.ok) {
    console.error(`Rejected: ${ACCESS_TOKEN_REJECTIONS[result.reason]}.`);
    return 1;
  }
  console.log(JSON.stringify(result.claims, null, 2));
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exitCode = await main();
