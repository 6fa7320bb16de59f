// Account settings: changing the password. The server then ends every session, this one included,
// and answers with a fresh session cookie, so only this browser stays signed in.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert, Notice } from "../../components/message.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { useTRPC } from "../../lib/trpc.ts";

export function AccountPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const changePassword = useMutation(
    trpc.account.changePassword.mutationOptions({
      // The current session was replaced: what is cached about sessions is out of date.
      onSuccess: () => queryClient.invalidateQueries(),
    }),
  );
  const fieldErrors = getFieldErrors(changePassword.error);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    changePassword.mutate(readFormText(form, ["currentPassword", "newPassword"]), { onSuccess: () => form.reset() });
  }

  return (
    <>
      <h1>Account</h1>
      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">Change password</h2>
        <p className="muted">Every other device signed in to your account will be signed out.</p>
        {changePassword.isSuccess && <Notice>Your password has been changed. Other devices have been signed out.</Notice>}
        <ErrorAlert message={getErrorMessage(changePassword.error)} />
        <form aria-label="Change password" onSubmit={handleSubmit} noValidate>
          <FormField
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            error={fieldErrors.currentPassword}
          />
          <FormField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            required
            error={fieldErrors.newPassword}
          />
          <button type="submit" disabled={changePassword.isPending}>
            {changePassword.isPending ? "Changing password…" : "Change password"}
          </button>
        </form>
      </section>
    </>
  );
}
