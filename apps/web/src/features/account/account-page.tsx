// Account settings: the email address, the password (for users who have one), sign-in methods and
// deleting the account. A password change ends every session, this one included, and answers with a
// fresh session cookie, so only this browser stays signed in. Changing the email, linking or
// unlinking a provider and deleting need a recent check (sudo mode), asked for in place; the email
// changes once the link mailed to the new address is used.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert, Notice } from "../../components/message.tsx";
import { NewPasswordField } from "../../components/new-password-field.tsx";
import { useReauthentication } from "../../components/reauthentication-prompt.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { useNavigate } from "../../lib/router.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { SignInMethodsSection } from "./sign-in-methods-section.tsx";

export function AccountPage() {
  const trpc = useTRPC();
  // A user who signs in only through a provider has no current password to change.
  const methods = useQuery(trpc.oauth.methods.queryOptions());
  return (
    <>
      <h1>Account</h1>
      <ChangeEmailSection />
      {methods.data?.hasPassword === false ? <SetPasswordSection /> : <ChangePasswordSection />}
      <SignInMethodsSection />
      <DeleteAccountSection />
    </>
  );
}

function ChangeEmailSection() {
  const trpc = useTRPC();
  const account = useQuery(trpc.account.get.queryOptions());
  const reauthentication = useReauthentication();
  const changeEmail = useMutation(trpc.account.changeEmail.mutationOptions());
  const fieldErrors = getFieldErrors(changeEmail.error);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const { newEmail } = readFormText(form, ["newEmail"]);
    void reauthentication.run(() => changeEmail.mutateAsync({ newEmail }).then(() => form.reset()));
  }

  return (
    <section className="card" aria-labelledby="email-heading">
      <h2 id="email-heading">Email address</h2>
      {account.data && (
        <p>
          <strong>{account.data.email}</strong>{" "}
          {account.data.emailVerified ? <span className="badge">Verified</span> : <span className="muted">(not verified yet)</span>}
        </p>
      )}
      {changeEmail.isSuccess && (
        <Notice>
          We sent a link to <strong>{changeEmail.data.sentTo}</strong>. Your address changes once you open it. Your current address got a
          notice too.
        </Notice>
      )}
      <ErrorAlert message={reauthentication.getErrorMessage(changeEmail.error)} />
      <form aria-label="Change email" onSubmit={handleSubmit} noValidate>
        <FormField label="New email address" name="newEmail" type="email" autoComplete="email" required error={fieldErrors.newEmail} />
        <button type="submit" disabled={changeEmail.isPending || reauthentication.isPrompting}>
          {changeEmail.isPending ? "Sending…" : "Change email"}
        </button>
      </form>
      {reauthentication.prompt}
    </section>
  );
}

/**
 * A user who signs in only through a provider sets a first password the way anyone recovers one:
 * by a link mailed to the account's address, which proves the mailbox (no sudo prompt needed).
 */
function SetPasswordSection() {
  const trpc = useTRPC();
  const account = useQuery(trpc.account.get.queryOptions());
  const request = useMutation(trpc.passwordReset.request.mutationOptions());
  const email = account.data?.email;

  return (
    <section className="card" aria-labelledby="set-password-heading">
      <h2 id="set-password-heading">Password</h2>
      <p className="muted">You sign in through a provider. Add a password to sign in with your email address too.</p>
      {request.isSuccess ? (
        <Notice>
          We sent a link to <strong>{request.variables.email}</strong> to choose a password. It works once, for 30 minutes.
        </Notice>
      ) : (
        <>
          <ErrorAlert message={getErrorMessage(request.error)} />
          <button type="button" disabled={!email || request.isPending} onClick={() => email && request.mutate({ email })}>
            {request.isPending ? "Sending…" : "Email me a link to set a password"}
          </button>
        </>
      )}
    </section>
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
