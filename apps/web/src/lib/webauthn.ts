// The browser side of passkeys, through @simplewebauthn/browser loaded on first use (it is not
// in the initial bundle). Options come from the server (passkey.* procedures) and the answers go
// back to it unchanged. The options arrive typed as tRPC serialized them; on the wire they are
// exactly the JSON the browser library takes, hence the one cast per ceremony below.
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/browser";

const loadWebAuthn = () => import("@simplewebauthn/browser");

export async function createPasskey(optionsJSON: object): Promise<RegistrationResponseJSON> {
  return (await loadWebAuthn()).startRegistration({ optionsJSON: optionsJSON as PublicKeyCredentialCreationOptionsJSON });
}

/**
 * Asks the browser for a passkey. With `autofill`, the request waits quietly until the user picks a
 * passkey from the username field's autofill list (conditional UI); a later call cancels it.
 */
export async function getPasskey(optionsJSON: object, options: { autofill?: boolean } = {}): Promise<AuthenticationResponseJSON> {
  return (await loadWebAuthn()).startAuthentication({
    optionsJSON: optionsJSON as PublicKeyCredentialRequestOptionsJSON,
    useBrowserAutofill: options.autofill ?? false,
  });
}

export async function supportsPasskeyAutofill(): Promise<boolean> {
  return (await loadWebAuthn()).browserSupportsWebAuthnAutofill();
}

/** Whether this browser can use passkeys at all (else the passkey buttons are not shown). */
export function supportsPasskeys(): boolean {
  return typeof window !== "undefined" && typeof window.PublicKeyCredential === "function";
}

const PASSKEY_FAILED = "This passkey could not be used. Try again, or use another way.";

/**
 * What to tell the user when the browser's passkey dialog failed; null when they closed it, it
 * timed out, or another passkey request replaced it (nothing to report).
 */
export function describePasskeyFailure(error: unknown): string | null {
  const cancelled = error instanceof Error && (error.name === "NotAllowedError" || error.name === "AbortError");
  return cancelled ? null : PASSKEY_FAILED;
}
