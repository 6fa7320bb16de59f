// The second step of signing in: a code from the authenticator app, a recovery code, or a passkey.
// The password has opened a session that only this step can complete (mfa.verify, passkey.verify).
import { useMutation } from "@tanstack/react-query";
import type { RouterOutputs } from "@latchkey/server";
import { useState, type FormEvent } from "react";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert } from "../../components/message.tsx";
import { getErrorMessage } from "../../lib/api-error.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { describePasskeyFailure, getPasskey, supportsPasskeys } from "../../lib/webauthn.ts";

type SecondFactorMethod = NonNullable<RouterOutputs["auth"]["signIn"]["secondFactor"]>["methods"][number];

export function SecondFactorForm({ methods, onVerified }: { methods: SecondFactorMethod[]; onVerified: () => void }) {
  const trpc = useTRPC();
  const codeMethods = methods.filter((method) => method !== "passkey");
  const [method, setMethod] = useState<SecondFactorMethod | undefined>(codeMethods[0]);
  const verifyCode = useMutation(trpc.mfa.verify.mutationOptions({ onSuccess: onVerified }));
  const passkeyOptions = useMutation(trpc.passkey.authenticationOptions.mutationOptions());
  const verifyPasskey = useMutation(trpc.passkey.verify.mutationOptions({ onSuccess: onVerified }));
  const [browserError, setBrowserError] = useState<string | null>(null);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (method !== "totp" && method !== "recovery_code") return;
    verifyCode.mutate({ method, code: readFormText(event.currentTarget, ["code"]).code });
  }

  async function provePasskey() {
    setBrowserError(null);
    verifyCode.reset();
    const options = await passkeyOptions.mutateAsync().catch(() => null);
    if (!options) return;
    try {
      verifyPasskey.mutate({ response: await getPasskey(options) });
    } catch (error) {
      setBrowserError(describePasskeyFailure(error));
    }
  }

  const otherCodeMethod = codeMethods.find((candidate) => candidate !== method);
  return (
    <div className="second-factor">
      <ErrorAlert message={browserError ?? getErrorMessage(verifyCode.error ?? passkeyOptions.error ?? verifyPasskey.error)} />
      {method && (
        // Keyed by method: switching starts with an empty field and no stale error.
        <form key={method} aria-label="Second factor" onSubmit={handleSubmit} noValidate>
          {method === "totp" ? (
            <FormField label="Code from your authenticator app" name="code" autoComplete="one-time-code" required autoFocus />
          ) : (
            <FormField label="Recovery code" name="code" autoComplete="off" required autoFocus />
          )}
          <button type="submit" disabled={verifyCode.isPending}>
            {verifyCode.isPending ? "Checking…" : "Continue"}
          </button>
        </form>
      )}
      <div className="actions">
        {otherCodeMethod && (
          <button
            type="button"
            className="button-link"
            onClick={() => {
              verifyCode.reset();
              setMethod(otherCodeMethod);
            }}
          >
            {otherCodeMethod === "totp" ? "Use your authenticator app" : "Use a recovery code"}
          </button>
        )}
        {methods.includes("passkey") && supportsPasskeys() && (
          <button type="button" className="button-secondary" disabled={verifyPasskey.isPending} onClick={() => void provePasskey()}>
            Use a passkey
          </button>
        )}
      </div>
    </div>
  );
}
