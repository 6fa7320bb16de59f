import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { FormField, readFormText } from "../../components/form-field.tsx";
import { ErrorAlert, Notice } from "../../components/message.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { getOAuthFailureMessage } from "../../lib/oauth.ts";
import { useTRPC } from "../../lib/trpc.ts";
import { AuthPage, useNextParam } from "./auth-page.tsx";
import { sanitizeNextPath } from "./next-path.ts";
import { ProviderSignIn } from "./provider-sign-in.tsx";

export function SignInPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [searchParams] = useSearchParams();
  const nextParam = useNextParam();
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      // The response set the session cookie; once auth.me sees it, AuthPage moves on to `next`.
      onSuccess: () => queryClient.invalidateQueries(trpc.auth.me.queryFilter()),
    }),
  );
  const fieldErrors = getFieldErrors(signIn.error);

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
      <ErrorAlert message={getErrorMessage(signIn.error) ?? getOAuthFailureMessage(searchParams.get("oauth_error"))} />
      <form aria-label="Sign in" onSubmit={handleSubmit} noValidate>
        <FormField label="Email" name="email" type="email" autoComplete="email" required error={fieldErrors.email} />
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
      <ProviderSignIn next={searchParams.has("next") ? sanitizeNextPath(searchParams.get("next")) : null} />
    </AuthPage>
  );
}
