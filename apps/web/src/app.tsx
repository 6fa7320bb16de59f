// The app: which page answers which URL, the API clients, and where people go when their session
// ends. main.tsx renders it with the browser's history; tests with an in-memory one.
import { QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { Link, type DataRouter, type RouteObject } from "react-router";
import { RouterProvider } from "react-router/dom";
import { ToastProvider } from "./components/toast.tsx";
import { AccountPage } from "./features/account/account-page.tsx";
import { AdminPage } from "./features/admin/admin-page.tsx";
import { buildSignInPath } from "./features/auth/next-path.ts";
import { SignInPage } from "./features/auth/sign-in-page.tsx";
import { SignUpPage } from "./features/auth/sign-up-page.tsx";
import { SignedInLayout } from "./features/auth/signed-in-layout.tsx";
import { ConfirmEmailChangePage } from "./features/email-change/confirm-email-change-page.tsx";
import { VerifyEmailPage } from "./features/email-verification/verify-email-page.tsx";
import { NotesPage } from "./features/notes/notes-page.tsx";
import { ForgotPasswordPage } from "./features/password-reset/forgot-password-page.tsx";
import { ResetPasswordPage } from "./features/password-reset/reset-password-page.tsx";
import { SessionsPage } from "./features/sessions/sessions-page.tsx";
import { createApiClients, TRPCProvider } from "./lib/trpc.ts";

export const routes: RouteObject[] = [
  { path: "/sign-in", Component: SignInPage },
  { path: "/sign-up", Component: SignUpPage },
  // Pages mailed links land on (the server sends them with Referrer-Policy: no-referrer).
  { path: "/verify-email", Component: VerifyEmailPage },
  { path: "/forgot-password", Component: ForgotPasswordPage },
  { path: "/reset-password", Component: ResetPasswordPage },
  { path: "/confirm-email-change", Component: ConfirmEmailChangePage },
  {
    Component: SignedInLayout,
    children: [
      { index: true, Component: NotesPage },
      { path: "/sessions", Component: SessionsPage },
      { path: "/account", Component: AccountPage },
      { path: "/admin", Component: AdminPage },
    ],
  },
  { path: "*", Component: NotFoundPage },
];

function NotFoundPage() {
  return (
    <main className="auth">
      <div className="card auth-card">
        <h1>Page not found</h1>
        <p>
          <Link to="/">Go to your notes</Link>
        </p>
      </div>
    </main>
  );
}

export function App({ router }: { router: DataRouter }) {
  const [{ queryClient, trpcClient }] = useState(() =>
    createApiClients({
      onSessionEnded() {
        const { pathname, search } = router.state.location;
        void router.navigate(buildSignInPath({ next: `${pathname}${search}`, reason: "expired" }), { replace: true });
      },
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        <ToastProvider>
          <RouterProvider router={router} />
        </ToastProvider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
