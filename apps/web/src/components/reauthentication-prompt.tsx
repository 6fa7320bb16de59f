// Sudo mode in the browser: a sensitive action the server refuses with "reauthentication required"
// opens a small password prompt in place; once auth.reauthenticate accepts the password (and the
// browser holds the new session cookie it answers with), the same action runs again. The password
// goes only to auth.reauthenticate. A user with a linked provider may confirm there instead (the
// only way for a user without a password); that leaves the page, and the action is clicked again.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useLocation } from "react-router";
import { getErrorMessage, getFieldErrors, isReauthenticationRequired } from "../lib/api-error.ts";
import { getOAuthStartUrl } from "../lib/oauth.ts";
import { useTRPC } from "../lib/trpc.ts";
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
  }

  const prompt = pendingAction ? (
    <ReauthenticationPrompt
      error={reauthenticate.error}
      isPending={reauthenticate.isPending}
      onCancel={close}
      onSubmit={(password) =>
        reauthenticate.mutate(
          { password },
          {
            onSuccess: () => {
              close();
              // The session was replaced: auth.me's session id is out of date.
              void queryClient.invalidateQueries(trpc.auth.me.queryFilter());
              void run(pendingAction);
            },
          },
        )
      }
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
  onSubmit: (password: string) => void;
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
      </div>
    );
  }
  return (
    <form className="card reauthentication" aria-label="Confirm your password" onSubmit={handleSubmit} noValidate>
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
  );
}
