// Sign in with GitHub (an OAuth 2.0 app, not OpenID Connect): arctic's OAuth2Client with PKCE for
// the code, then GitHub's REST API for the user and their verified primary email.
// arctic 3.7's GitHub class hard-codes its endpoints, calls the global fetch and has no PKCE, so we
// drive its generic client with GitHub's endpoints, which tests point at a local server.
import { CodeChallengeMethod, OAuth2Client } from "arctic";
import { z } from "zod";
import type { OAuthAuthorization, OAuthClientConfig, OAuthIdentityResult, OAuthProvider } from "./oauth-provider.ts";
import { classifyProviderError, withTimeout } from "./oauth-provider-error.ts";

export const GITHUB_ENDPOINTS = {
  authorization: "https://github.com/login/oauth/authorize",
  token: "https://github.com/login/oauth/access_token",
  api: "https://api.github.com",
};
export type GitHubEndpoints = typeof GITHUB_ENDPOINTS;

// The profile and the email addresses (with their verified flags); nothing else.
const SCOPES = ["read:user", "user:email"];

const userSchema = z.object({ id: z.number().int(), login: z.string(), name: z.string().nullable().optional() });
const emailsSchema = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

export function createGitHubProvider(
  config: OAuthClientConfig & { redirectUri: string; timeoutMs: number },
  endpoints: GitHubEndpoints = GITHUB_ENDPOINTS,
): OAuthProvider {
  const client = new OAuth2Client(config.clientId, config.clientSecret, config.redirectUri);

  async function getJson(path: string, accessToken: string): Promise<unknown> {
    const response = await fetch(`${endpoints.api}${path}`, {
      headers: { Authorization: `Bearer ${accessToken}`, Accept: "application/vnd.github+json", "User-Agent": "latchkey" },
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    if (!response.ok) throw new Error(`GitHub API ${path} answered ${response.status}`);
    return response.json();
  }

  return {
    id: "github",
    name: "GitHub",
    // GitHub has no way to demand a fresh login (no prompt=login), so its sudo mode is weaker (ADR 016).
    createAuthorizationUrl: async ({ state, codeVerifier }) =>
      client.createAuthorizationURLWithPKCE(endpoints.authorization, state, CodeChallengeMethod.S256, codeVerifier, SCOPES),

    async fetchIdentity(callbackUrl: URL, { codeVerifier }: OAuthAuthorization): Promise<OAuthIdentityResult> {
      const code = callbackUrl.searchParams.get("code");
      if (!code) return { ok: false, failure: "provider_error" };
      let accessToken: string;
      try {
        const tokens = await withTimeout(client.validateAuthorizationCode(endpoints.token, code, codeVerifier), config.timeoutMs);
        // GitHub reports a bad code with status 200 and an `error` field.
        if ("error" in tokens.data) return { ok: false, failure: "code_rejected" };
        accessToken = tokens.accessToken();
      } catch (error) {
        return { ok: false, failure: classifyProviderError(error) };
      }
      let user: z.infer<typeof userSchema>;
      let emails: z.infer<typeof emailsSchema>;
      try {
        [user, emails] = await Promise.all([
          getJson("/user", accessToken).then((body) => userSchema.parse(body)),
          getJson("/user/emails", accessToken).then((body) => emailsSchema.parse(body)),
        ]);
      } catch {
        return { ok: false, failure: "provider_unavailable" };
      }
      // The public profile email is whatever the user typed; only the verified primary counts.
      const primary = emails.find((entry) => entry.primary && entry.verified);
      return {
        ok: true,
        identity: { accountId: String(user.id), email: primary?.email ?? null, emailVerified: primary !== undefined, name: user.name || user.login },
      };
    },
  };
}
