import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert, Notice } from "../../components/message.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { getOAuthFailureMessage } from "../../lib/oauth.ts";
import { Link, useSearchParams } from "../../lib/router.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { AuthPage, useNextParam } from "./auth-page.tsx";
import { sanitizeNextPath } from "./next-path.ts";
import { usePasskeySignIn } from "./passkey-sign-in.tsx";
import { ProviderSignIn } from "./provider-sign-in.tsx";
import { SecondFactorForm } from "./second-factor-form.tsx";

export function SignInPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const searchParams = useSearchParams();
  const nextParam = useNextParam();
  // The response set the session cookie; once auth.me sees it, AuthPage moves on to `next`.
  const refreshSession = () => queryClient.invalidateQueries(trpc.auth.me.queryFilter());
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      // With a second factor the cookie is a pending session: auth.me refuses it until the second step.
      onSuccess: (result) => (result.secondFactor ? undefined : refreshSession()),
    }),
  );
  const passkey = usePasskeySignIn(() => void refreshSession());
  const fieldErrors = getFieldErrors(signIn.error);
  // A provider's callback or a mailed link left a pending session and sent the browser here.
  const pending = useQuery({ ...trpc.mfa.pendingMethods.queryOptions(), enabled: searchParams.get("second_factor") === "1" });
  const secondFactor = signIn.data?.secondFactor ?? (pending.data ? { methods: pending.data } : null);

  if (secondFactor) {
    return (
      <AuthPage title="Two-step verification" footer={<Link to="/sign-in" reloadDocument>Start again</Link>}>
        <SecondFactorForm methods={secondFactor.methods} onVerified={() => void refreshSession()} />
      </AuthPage>
    );
  }

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    signIn.mutate(readFormText(event.currentTarget, ["email", "password"]));
  }

  return (
    <AuthPage
      title="Sign in"
      footer={
        <p>
          New here? <Link to={`/sign-up${nextParam}`}>Create an account</Link>
        </p>
      }
    >
      {searchParams.get("reason") === "expired" && <Notice tone="info">Your session has ended. Please sign in again.</Notice>}
      {searchParams.get("reason") === "deleted" && <Notice tone="info">Your account has been deleted.</Notice>}
      <ErrorAlert message={getErrorMessage(signIn.error) ?? passkey.errorMessage ?? getOAuthFailureMessage(searchParams.get("oauth_error"))} />
      <form aria-label="Sign in" onSubmit={handleSubmit} noValidate>
        {/* "webauthn" lets the browser offer passkeys in this field's autofill (conditional UI). */}
        <FormField label="Email" name="email" type="email" autoComplete="username webauthn" required error={fieldErrors.email} />
        <FormField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={fieldErrors.password}
        />
        <div className="actions">
          <button type="submit" disabled={signIn.isPending}>
            {signIn.isPending ? "Signing in…" : "Sign in"}
          </button>
          <Link to="/forgot-password" className="forgot-link">
            Forgot password?
          </Link>
        </div>
      </form>
      {passkey.available && (
        <div className="actions">
          <button type="button" className="button-secondary" disabled={passkey.isPending} onClick={passkey.start}>
            Sign in with a passkey
          </button>
        </div>
      )}
      <ProviderSignIn next={searchParams.has("next") ? sanitizeNextPath(searchParams.get("next")) : null} />
    </AuthPage>
  );
}
