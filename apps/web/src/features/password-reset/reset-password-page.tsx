// Where the reset link lands: choose a new password. Success ends every session of the account
// (other browsers are signed out) and signs this browser in on a new one. An account with a second
// factor proves it here too (a code from the app, or a recovery code): a reset does not bypass it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { CardPage } from "../../components/card-page.tsx";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert } from "../../components/message.tsx";
import { NewPasswordField } from "../../components/new-password-field.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { NoReferrer, useLinkToken } from "../../lib/link-token.tsx";
import { Link, useNavigate } from "../../lib/router.tsx";
import { useTRPC } from "../../lib/trpc.ts";

export function ResetPasswordPage() {
  const trpc = useTRPC();
  const token = useLinkToken();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  // Set once the server says the account has a second factor: the form then asks for a code too.
  const [secondFactorMethods, setSecondFactorMethods] = useState<string[] | null>(null);
  const complete = useMutation(
    trpc.passwordReset.complete.mutationOptions({
      onSuccess: async (result) => {
        if (result.secondFactor) {
          setSecondFactorMethods(result.secondFactor.methods);
          return;
        }
        // A new session: nothing cached belongs to it yet.
        await queryClient.invalidateQueries();
        await navigate("/", { replace: true });
      },
    }),
  );
  const fieldErrors = getFieldErrors(complete.error);
  // A refused link (expired, used, wrong) cannot be retried: offer a new one. A wrong code can.
  const linkRefused = complete.isError && !fieldErrors.newPassword && !secondFactorMethods;
  const offersTotp = secondFactorMethods?.includes("totp") ?? false;

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!token) return;
    const fields = readFormText(event.currentTarget, ["newPassword", "code", "method"]);
    const method = fields.method === "recovery_code" || !offersTotp ? "recovery_code" : "totp";
    complete.mutate({
      token,
      newPassword: fields.newPassword,
      secondFactor: secondFactorMethods ? { method, code: fields.code } : undefined,
    });
  }

  return (
    <CardPage title="Choose a new password" footer={<Link to="/sign-in">Back to sign in</Link>}>
      <NoReferrer />
      {!token ? (
        <p role="alert" className="alert">
          This page needs the link from your email. <Link to="/forgot-password">Request a new link</Link>
        </p>
      ) : (
        <>
          <ErrorAlert message={getErrorMessage(complete.error)} />
          {linkRefused ? (
            <p>
              <Link to="/forgot-password">Request a new link</Link>
            </p>
          ) : (
            <form aria-label="Choose a new password" onSubmit={handleSubmit} noValidate>
              <p className="muted">Every device signed in to your account will be signed out.</p>
              <NewPasswordField label="New password" name="newPassword" error={fieldErrors.newPassword} />
              {secondFactorMethods && (
                <fieldset>
                  <legend>Your account has two-step verification: confirm it to continue.</legend>
                  {offersTotp && (
                    <label className="checkbox">
                      <input type="checkbox" name="method" value="recovery_code" /> Use a recovery code instead
                    </label>
                  )}
                  <FormField
                    label={offersTotp ? "Code from your authenticator app" : "Recovery code"}
                    name="code"
                    autoComplete="one-time-code"
                    required
                  />
                </fieldset>
              )}
              <button type="submit" disabled={complete.isPending}>
                {complete.isPending ? "Saving…" : "Set new password"}
              </button>
            </form>
          )}
        </>
      )}
    </CardPage>
  );
}
