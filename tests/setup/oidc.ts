// Test setup for the OAuth flow against a real OpenID Connect provider (oidc-provider) on loopback:
// a pass-through proxy in front of it that can take the provider down or rewrite its token
// response (an ID token re-signed with another key, audience or nonce), and a fetch-based browser
// that walks the provider's login form and stops at our callback.
import { createPrivateKey, createSign } from "node:crypto";
import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JWK } from "oidc-provider";
import { startLocalOidcProvider, type LocalOidcAccount, type LocalOidcProvider } from "../../scripts/lib/local-oidc-provider.ts";

export const OIDC_CLIENT_ID = "latchkey-test";
export const OIDC_CLIENT_SECRET = "latchkey-test-secret";

type TokenResponseRewrite = (body: Record<string, unknown>) => Record<string, unknown>;

export interface TestOidcProvider extends LocalOidcProvider {
  /** Rewrites the next token responses until reset to null. */
  rewriteTokenResponse: TokenResponseRewrite | null;
  /** While true, every connection is cut: the provider is down. */
  down: boolean;
  /** Authorization code lifetime for codes issued from now on (seconds). */
  codeTtlSeconds: number;
}

/** The provider behind a proxy on `issuer`; the provider itself believes it lives at the proxy's origin. */
export async function startTestOidcProvider(options: { redirectUris: string[]; accounts: LocalOidcAccount[] }): Promise<TestOidcProvider> {
  const proxy: Server = createServer();
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const control = { rewriteTokenResponse: null as TokenResponseRewrite | null, down: false, codeTtlSeconds: 60 };
  const provider = await startLocalOidcProvider({
    port: 0,
    issuer,
    clients: [{ clientId: OIDC_CLIENT_ID, clientSecret: OIDC_CLIENT_SECRET, redirectUris: options.redirectUris }],
    accounts: options.accounts,
    authorizationCodeTtlSeconds: () => control.codeTtlSeconds,
  });
  const target = new URL(provider.listeningOn);
  proxy.on("request", (req, res) => {
    if (control.down) {
      req.socket.destroy();
      return;
    }
    const outgoing = forward(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (incoming) => {
        const rewrite = control.rewriteTokenResponse;
        if (req.url !== "/token" || !rewrite || incoming.statusCode !== 200) {
          res.writeHead(incoming.statusCode ?? 502, incoming.headers);
          incoming.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => {
          const body = JSON.stringify(rewrite(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
          const headers = { ...incoming.headers, "content-length": String(Buffer.byteLength(body)) };
          res.writeHead(200, headers).end(body);
        });
      },
    );
    req.pipe(outgoing);
  });
  return Object.assign(control, {
    issuer,
    signingKey: provider.signingKey,
    listeningOn: provider.listeningOn,
    async close() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await provider.close();
    },
  });
}

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

export function decodeJwtPayload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8"));
}

/** An RS256 JWT over `payload`, signed with `key` and naming `kid` (default: the key's own). */
export function signJwt(payload: Record<string, unknown>, key: JWK, kid = key.kid): string {
  const input = `${encodeSegment({ alg: "RS256", typ: "JWT", kid })}.${encodeSegment(payload)}`;
  const signature = createSign("RSA-SHA256").update(input).sign(createPrivateKey({ key: key as never, format: "jwk" }));
  return `${input}.${signature.toString("base64url")}`;
}

/** A token response rewrite that re-signs the ID token after changing its claims. */
export function resignIdToken(key: JWK, change: (claims: Record<string, unknown>) => Record<string, unknown>, kid?: string): TokenResponseRewrite {
  return (body) => ({ ...body, id_token: signJwt(change(decodeJwtPayload(String(body.id_token))), key, kid ?? key.kid) });
}

/** A browser's cookies for one site (paths ignored: sending more cookies than a browser would is harmless here). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  store(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const separator = pair!.indexOf("=");
      const [name, value] = [pair!.slice(0, separator), pair!.slice(separator + 1)];
      if (/Max-Age=0\b/i.test(cookie) || /expires=Thu, 01 Jan 1970/i.test(cookie) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

async function get(url: string, jar: CookieJar, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (jar.cookies.size > 0) headers.set("cookie", jar.header());
  const response = await fetch(url, { ...init, headers, redirect: "manual" });
  jar.store(response);
  return response;
}

function requireLocation(response: Response, base: string): string {
  const location = response.headers.get("location");
  if (!location) throw new Error(`expected a redirect from ${base}, got ${response.status}`);
  return new URL(location, base).toString();
}

/**
 * Starts a flow at our server (`/auth/oauth/oidc?…`) and signs in at the provider as `login`, or
 * cancels there (`cancel`). Returns where the provider sends the browser back: our callback URL,
 * not yet visited. `app` keeps our cookies (the state cookie arrives here).
 */
export async function authorizeAtProvider(
  appUrl: string,
  app: CookieJar,
  options: { login: string; cancel?: boolean; query?: string; provider?: CookieJar },
): Promise<string> {
  const providerJar = options.provider ?? new CookieJar();
  const started = await get(`${appUrl}/auth/oauth/oidc${options.query ?? ""}`, app);
  let url = requireLocation(started, appUrl);
  for (let step = 0; step < 10; step += 1) {
    if (url.startsWith(appUrl)) return url;
    const interaction = /\/interaction\/([^/?]+)$/.exec(new URL(url).pathname);
    let response: Response;
    if (interaction && options.cancel) {
      response = await get(`${url}/abort`, providerJar);
    } else if (interaction) {
      // oidc-provider's development login form: the login is the account id, the password unchecked.
      response = await get(url, providerJar, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ prompt: "login", login: options.login, password: "any" }).toString(),
      });
    } else {
      response = await get(url, providerJar);
    }
    url = requireLocation(response, url);
  }
  throw new Error("the provider did not send the browser back");
}

/** Visits our callback like the browser would; returns where we send it (path and query). */
export async function visitCallback(callbackUrl: string, app: CookieJar): Promise<{ response: Response; location: URL }> {
  const response = await get(callbackUrl, app);
  return { response, location: new URL(requireLocation(response, callbackUrl)) };
}
