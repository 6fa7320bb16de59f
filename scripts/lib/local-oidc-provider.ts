// A real OpenID Connect provider (panva's oidc-provider) on loopback: `pnpm dev` runs one that knows
// the demo users ("Sign in with Local OIDC" offline), and the OAuth tests start their own. Sign-in
// uses oidc-provider's development login form: type the account's login (the demo users' email);
// the password field is not checked. Consent is implied for our own clients.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Configuration, type JWK } from "oidc-provider";

export interface LocalOidcAccount {
  /** What to type in the login form; also the `sub` claim. */
  login: string;
  email: string;
  emailVerified: boolean;
  name: string;
}

export interface LocalOidcClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface LocalOidcProviderOptions {
  /** 0 for any free port. */
  port: number;
  /** The issuer when something in front of it (a test's proxy) serves it; else where it listens. */
  issuer?: string;
  clients: LocalOidcClient[];
  accounts: LocalOidcAccount[];
  /** The private key that signs ID tokens (RS256); a new one when omitted. */
  signingKey?: JWK;
  /** Authorization code lifetime in seconds (oidc-provider's default: 60), read for every new code. */
  authorizationCodeTtlSeconds?: number | (() => number);
}

export interface LocalOidcProvider {
  issuer: string;
  /** Where its HTTP server listens (the issuer's origin unless `issuer` was given). */
  listeningOn: string;
  signingKey: JWK;
  close(): Promise<void>;
}

/** A fresh RSA private key as a JWK with a key id, like a provider's. */
export function generateRsaSigningKey(): JWK {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...(privateKey.export({ format: "jwk" }) as JWK), kid: randomBytes(8).toString("hex"), alg: "RS256", use: "sig" };
}

export async function startLocalOidcProvider(options: LocalOidcProviderOptions): Promise<LocalOidcProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(options.port, "127.0.0.1", resolve));
  const listeningOn = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = options.issuer ?? listeningOn;
  const codeTtl = options.authorizationCodeTtlSeconds ?? 60;
  const signingKey = options.signingKey ?? generateRsaSigningKey();
  const accounts = new Map(options.accounts.map((account) => [account.login, account]));

  const configuration: Configuration = {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: typeof codeTtl === "number" ? codeTtl : () => codeTtl(),
      AccessToken: 10 * 60,
      IdToken: 10 * 60,
      Interaction: 60 * 60,
      Grant: 24 * 60 * 60,
      Session: 24 * 60 * 60,
    },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, email: account.email, email_verified: account.emailVerified, name: account.name }),
      };
    },
    // First-party clients: the scopes they ask for are granted without a consent screen.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  };
  const provider = new Provider(issuer, configuration);
  server.on("request", provider.callback());
  return {
    issuer,
    listeningOn,
    signingKey,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
