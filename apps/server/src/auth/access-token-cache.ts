// Verified access tokens, remembered until they expire: a client sends the same token on every
// request for its whole lifetime, and Ed25519 verification (~65 µs of CPU, docs/performance.md)
// would otherwise be most of what a JWT request costs. Keyed by the token's exact text, so a hit is
// a token whose signature, key, typ, iss and aud were verified against this same configuration;
// its lifetime (exp, nbf, iat) is checked again on every use. Revocation is unchanged: a JWT was
// never checked against the session row, cached or not (DESIGN §4).
import {
  checkAccessTokenLifetime,
  verifyAccessToken,
  type AccessTokenClaims,
  type AccessTokenConfig,
  type AccessTokenVerification,
} from "./access-token.ts";

/** About 1 KiB per entry: a few MiB at most. When full, the oldest entry makes room. */
export const ACCESS_TOKEN_CACHE_MAX_ENTRIES = 10_000;

export interface AccessTokenVerifier {
  verify(token: string, now: Date): AccessTokenVerification;
}

export function createAccessTokenVerifier(
  config: AccessTokenConfig,
  options: { maxEntries?: number; verify?: typeof verifyAccessToken } = {},
): AccessTokenVerifier {
  const maxEntries = options.maxEntries ?? ACCESS_TOKEN_CACHE_MAX_ENTRIES;
  const verifyFully = options.verify ?? verifyAccessToken;
  const verified = new Map<string, Readonly<AccessTokenClaims>>();
  return {
    verify(token, now) {
      const remembered = verified.get(token);
      if (remembered) {
        const rejection = checkAccessTokenLifetime(remembered, now);
        if (rejection === null) return { ok: true, claims: remembered };
        verified.delete(token);
        return { ok: false, reason: rejection };
      }
      // Only tokens that verified are remembered: forged ones cannot fill the cache.
      const result = verifyFully(token, config.verificationKeys, config, now);
      if (result.ok) {
        if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
        verified.set(token, Object.freeze(result.claims));
      }
      return result;
    },
  };
}

const verifiers = new WeakMap<AccessTokenConfig, AccessTokenVerifier>();

/** The verifier of a configuration: one per loaded config, so one per server. */
export function getAccessTokenVerifier(config: AccessTokenConfig): AccessTokenVerifier {
  let verifier = verifiers.get(config);
  if (!verifier) {
    verifier = createAccessTokenVerifier(config);
    verifiers.set(config, verifier);
  }
  return verifier;
}
