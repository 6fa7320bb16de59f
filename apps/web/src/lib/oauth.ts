// Sign-in providers in the browser: where each flow starts (a full-page navigation to the API's
// /auth/oauth routes, not a tRPC call) and what each failed callback tells the person.
import type { OAuthFailure } from "@latchkey/server";

const MESSAGES: Record<OAuthFailure, string> = {
  access_denied: "Sign-in was cancelled at the provider.",
  provider_error: "The provider could not complete the sign-in. Please try again.",
  state_mismatch: "That sign-in link has expired or was not started in this browser. Please start again.",
  code_rejected: "That sign-in was already used or took too long. Please start again.",
  id_token_invalid: "The provider's answer could not be verified, so you were not signed in.",
  provider_unavailable: "The provider cannot be reached right now. Please try again later.",
  email_unverified: "Your account at the provider has no verified email address. Verify it there, then try again.",
  account_exists:
    "An account with this email already exists. Sign in with your password, then link the provider from your account page.",
  sign_up_limited: "Too many new accounts were created from your network. Please try again later.",
  identity_taken: "That provider account already signs in to another account here.",
  provider_already_linked: "Your account already has an account of this provider linked. Unlink it first.",
  identity_mismatch: "That is not the provider account linked to you. Sign in at the provider as yourself.",
  reauthentication_required: "For your security, confirm it is you, then link again.",
  session_required: "Your session has ended. Please sign in again.",
};

/** The message for `?oauth_error=` on the sign-in and account pages, or null. */
export function getOAuthFailureMessage(code: string | null): string | null {
  return code !== null && Object.hasOwn(MESSAGES, code) ? MESSAGES[code as OAuthFailure] : null;
}

export type OAuthIntent = "sign-in" | "link" | "reauthenticate";

/** Where a flow starts; `next` is a path of this app to return to. */
export function getOAuthStartUrl(provider: string, intent: OAuthIntent, next?: string | null): string {
  const query = new URLSearchParams();
  if (intent !== "sign-in") query.set("intent", intent);
  if (next) query.set("next", next);
  const search = query.toString();
  return `/auth/oauth/${encodeURIComponent(provider)}${search ? `?${search}` : ""}`;
}
