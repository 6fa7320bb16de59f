// Sudo mode in the browser: a sensitive action the server refuses with "reauthentication required"
// opens a small password prompt in place; once auth.reauthenticate accepts the password (and the
// browser holds the new session cookie it answers with), the same action runs again. The password
// goes only to auth.reauthenticate. A user with a second factor may prove it instead (mfa.verify,
// passkey.verify), which opens the same window. A user with a linked provider may confirm there
// instead (the only password-free way for a user without a password); that leaves the page, and
// the action is clicked again.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { getErrorMessage, getFieldErrors, isReauthenticationRequired } from "../lib/api-error.ts";
import { getOAuthStartUrl } from "../lib/oauth.ts";
import { useLocation } from "../lib/router.tsx";
import { useTRPC } from "../lib/trpc.ts";
import { describePasskeyFailure, getPasskey, supportsPasskeys } from "../lib/webauthn.ts";
import { FormField, readFormText } from "./form-field.tsx";
import { ErrorAlert } from "./message.tsx";

type Action = () => Promise<unknown>;

/**
 * `run(action)` runs a sensitive mutation (`() => mutation.mutateAsync(input)`); when the server
 * asks for the password, `prompt` renders the password form and the action is retried after it.
 * Other failures stay on the mutation (`mutation.error`) for the page to show.
 */
export function useReauthentication() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [pendingAction, setPendingAction] = useState<Action | null>(null);
  const reauthenticate = useMutation(trpc.auth.reauthenticate.mutationOptions());
  const verifyCode = useMutation(trpc.mfa.verify.mutationOptions());
  const passkeyOptions = useMutation(trpc.passkey.authenticationOptions.mutationOptions());
  const verifyPasskey = useMutation(trpc.passkey.verify.mutationOptions());
  const [passkeyFailure, setPasskeyFailure] = useState<string | null>(null);
  // Which second factors the prompt may offer; asked only while it is open.
  const factors = useQuery(trpc.mfa.status.queryOptions(undefined, { enabled: pendingAction !== null }));

  async function run(action: Action): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (isReauthenticationRequired(error)) setPendingAction(() => action);
    }
  }

  function close() {
    setPendingAction(null);
    reauthenticate.reset();
    verifyCode.reset();
    verifyPasskey.reset();
    setPasskeyFailure(null);
  }

  function succeed(action: Action) {
    close();
    // The session was replaced: auth.me's session id is out of date.
    void queryClient.invalidateQueries(trpc.auth.me.queryFilter());
    void run(action);
  }

  async function provePasskey(action: Action) {
    setPasskeyFailure(null);
    const options = await passkeyOptions.mutateAsync().catch(() => null);
    if (!options) return;
    try {
      verifyPasskey.mutate({ response: await getPasskey(options) }, { onSuccess: () => succeed(action) });
    } catch (error) {
      setPasskeyFailure(describePasskeyFailure(error));
    }
  }

  const prompt = pendingAction ? (
    <ReauthenticationPrompt
      error={reauthenticate.error}
      isPending={reauthenticate.isPending || verifyCode.isPending || verifyPasskey.isPending}
      secondFactorError={passkeyFailure ?? getErrorMessage(verifyCode.error ?? passkeyOptions.error ?? verifyPasskey.error)}
      offerCode={factors.data?.totp === true}
      offerPasskey={(factors.data?.passkeys ?? 0) > 0 && supportsPasskeys()}
      onCancel={close}
      onSubmit={(password) => reauthenticate.mutate({ password }, { onSuccess: () => succeed(pendingAction) })}
      onSubmitCode={(code) => verifyCode.mutate({ method: "totp", code }, { onSuccess: () => succeed(pendingAction) })}
      onPasskey={() => void provePasskey(pendingAction)}
    />
  ) : null;

  return {
    run,
    prompt,
    isPrompting: pendingAction !== null,
    /** The action's error for the page's alert; none for "reauthentication required" (the prompt asks). */
    getErrorMessage: (error: unknown) => (isReauthenticationRequired(error) ? null : getErrorMessage(error)),
  };
}

function ReauthenticationPrompt(props: {
  error: unknown;
  isPending: boolean;
  secondFactorError: string | null;
  offerCode: boolean;
  offerPasskey: boolean;
  onSubmit: (password: string) => void;
  onSubmitCode: (code: string) => void;
  onPasskey: () => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const location = useLocation();
  const methods = useQuery(trpc.oauth.methods.queryOptions());
  const providers = useQuery(trpc.oauth.providers.queryOptions());
  const linked = (providers.data ?? []).filter((provider) => methods.data?.linked.some((account) => account.provider === provider.id));
  const providerChoices = linked.length > 0 && (
    <nav className="providers" aria-label="Confirm with a provider">
      {linked.map((provider) => (
        <a key={provider.id} className="button button-secondary" href={getOAuthStartUrl(provider.id, "reauthenticate", location.pathname)}>
          Confirm with {provider.name}
        </a>
      ))}
    </nav>
  );

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    props.onSubmit(readFormText(event.currentTarget, ["password"]).password);
  }
  function handleCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    props.onSubmitCode(readFormText(event.currentTarget, ["code"]).code);
  }
  const secondFactorChoices = (props.offerCode || props.offerPasskey) && (
    <div className="reauthentication-factors">
      <p className="muted">Or confirm with your second factor:</p>
      <ErrorAlert message={props.secondFactorError} />
      {props.offerCode && (
        <form aria-label="Confirm with a code" onSubmit={handleCode} noValidate>
          <FormField label="Code from your authenticator app" name="code" autoComplete="one-time-code" required />
          <button type="submit" className="button-secondary" disabled={props.isPending}>
            Confirm with code
          </button>
        </form>
      )}
      {props.offerPasskey && (
        <div className="actions">
          <button type="button" className="button-secondary" disabled={props.isPending} onClick={props.onPasskey}>
            Use a passkey
          </button>
        </div>
      )}
    </div>
  );
  if (methods.data && !methods.data.hasPassword) {
    return (
      <div className="card reauthentication" role="group" aria-label="Confirm it is you">
        <p>For your security, sign in at your provider again to continue, then repeat the action.</p>
        {providerChoices}
        <div className="actions">
          <button type="button" className="button-secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
        {secondFactorChoices}
      </div>
    );
  }
  return (
    <div className="card reauthentication">
      <form aria-label="Confirm your password" onSubmit={handleSubmit} noValidate>
        <p>For your security, enter your password to continue.</p>
        <ErrorAlert message={getErrorMessage(props.error)} />
        <FormField
          label="Your password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus
          error={getFieldErrors(props.error).password}
        />
        <div className="actions">
          <button type="submit" disabled={props.isPending}>
            {props.isPending ? "Checking…" : "Confirm"}
          </button>
          <button type="button" className="button-secondary" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
        {providerChoices}
      </form>
      {secondFactorChoices}
    </div>
  );
}
