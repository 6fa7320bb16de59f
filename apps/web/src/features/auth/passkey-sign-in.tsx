// "Sign in with a passkey": a button, and the same sign-in offered in the email field's autofill
// (conditional UI) while the page is open. Either way the server starts a full session.
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { getErrorMessage } from "../../lib/api-error.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { describePasskeyFailure, getPasskey, supportsPasskeyAutofill, supportsPasskeys } from "../../lib/webauthn.ts";

export function usePasskeySignIn(onSignedIn: () => void) {
  const trpc = useTRPC();
  const options = useMutation(trpc.passkey.signInOptions.mutationOptions());
  const signIn = useMutation(trpc.passkey.signIn.mutationOptions({ onSuccess: onSignedIn }));
  const [browserError, setBrowserError] = useState<string | null>(null);

  async function run(autofill: boolean) {
    const optionsJSON = await options.mutateAsync().catch(() => null);
    if (!optionsJSON) return;
    let response;
    try {
      response = await getPasskey(optionsJSON, { autofill });
    } catch (error) {
      // A cancelled autofill request is replaced by the button's; its failure is not news.
      if (!autofill) setBrowserError(describePasskeyFailure(error));
      return;
    }
    setBrowserError(null);
    signIn.mutate({ response });
  }

  // Conditional UI: one pending request for the page's lifetime; the button's request cancels it.
  useEffect(() => {
    let active = true;
    if (supportsPasskeys()) {
      void supportsPasskeyAutofill().then((supported) => {
        if (supported && active) void run(true);
      });
    }
    return () => {
      active = false;
    };
    // Once per page visit: a second run would cancel the pending autofill request.
  }, []);

  return {
    available: supportsPasskeys(),
    isPending: signIn.isPending,
    errorMessage: browserError ?? getErrorMessage(options.error ?? signIn.error),
    start: () => void run(false),
  };
}
