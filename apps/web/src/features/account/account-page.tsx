// Account settings: changing the password and deleting the account. A password change ends every
// session, this one included, and answers with a fresh session cookie, so only this browser stays
// signed in. Deleting needs a recent password check (sudo mode), asked for in place.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert, Notice } from "../../components/message.tsx";
import { NewPasswordField } from "../../components/new-password-field.tsx";
import { useReauthentication } from "../../components/reauthentication-prompt.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { useTRPC } from "../../lib/trpc.ts";

export function AccountPage() {
  return (
    <>
      <h1>Account</h1>
      <ChangePasswordSection />
      <DeleteAccountSection />
    </>
  );
}

function ChangePasswordSection() {
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
        <NewPasswordField label="New password" name="newPassword" error={fieldErrors.newPassword} />
        <button type="submit" disabled={changePassword.isPending}>
          {changePassword.isPending ? "Changing password…" : "Change password"}
        </button>
      </form>
    </section>
  );
}

function DeleteAccountSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [confirming, setConfirming] = useState(false);
  const reauthentication = useReauthentication();
  const deleteAccount = useMutation(
    trpc.account.delete.mutationOptions({
      onSuccess: async () => {
        await navigate("/sign-in?reason=deleted", { replace: true });
        // Nothing of the deleted account stays in memory.
        queryClient.clear();
      },
    }),
  );

  return (
    <section className="card" aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete account</h2>
      <p className="muted">Deletes your account, your notes and every session, on every device. This cannot be undone.</p>
      <ErrorAlert message={reauthentication.getErrorMessage(deleteAccount.error)} />
      {confirming ? (
        <div role="group" aria-label="Confirm account deletion">
          <p>Delete your account and everything in it?</p>
          <div className="actions">
            <button
              type="button"
              className="button-danger"
              disabled={deleteAccount.isPending || reauthentication.isPrompting}
              onClick={() => void reauthentication.run(() => deleteAccount.mutateAsync())}
            >
              {deleteAccount.isPending ? "Deleting…" : "Yes, delete my account"}
            </button>
            <button type="button" className="button-secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="button-danger" onClick={() => setConfirming(true)}>
          Delete account…
        </button>
      )}
      {reauthentication.prompt}
    </section>
  );
}
