// The app: which page answers which URL, the API clients, and where people go when their session
// ends. main.tsx renders it with the browser's history; tests with an in-memory one. Every page is
// its own chunk, loaded when its route first matches: the first load carries only the shell.
import { QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { Link, type DataRouter, type RouteObject } from "react-router";
import { RouterProvider } from "react-router/dom";
import { ToastProvider } from "./components/toast.tsx";
import { buildSignInPath } from "./features/auth/next-path.ts";
import { SignedInLayout } from "./features/auth/signed-in-layout.tsx";
import { createApiClients, TRPCProvider } from "./lib/trpc.ts";

export const routes: RouteObject[] = [
  { path: "/sign-in", lazy: async () => ({ Component: (await import("./features/auth/sign-in-page.tsx")).SignInPage }) },
  { path: "/sign-up", lazy: async () => ({ Component: (await import("./features/auth/sign-up-page.tsx")).SignUpPage }) },
  // Pages mailed links land on (the server sends them with Referrer-Policy: no-referrer).
  { path: "/verify-email", lazy: async () => ({ Component: (await import("./features/email-verification/verify-email-page.tsx")).VerifyEmailPage }) },
  { path: "/forgot-password", lazy: async () => ({ Component: (await import("./features/password-reset/forgot-password-page.tsx")).ForgotPasswordPage }) },
  { path: "/reset-password", lazy: async () => ({ Component: (await import("./features/password-reset/reset-password-page.tsx")).ResetPasswordPage }) },
  {
    path: "/confirm-email-change",
    lazy: async () => ({ Component: (await import("./features/email-change/confirm-email-change-page.tsx")).ConfirmEmailChangePage }),
  },
  {
    Component: SignedInLayout,
    children: [
      { index: true, lazy: async () => ({ Component: (await import("./features/notes/notes-page.tsx")).NotesPage }) },
      { path: "/sessions", lazy: async () => ({ Component: (await import("./features/sessions/sessions-page.tsx")).SessionsPage }) },
      { path: "/account", lazy: async () => ({ Component: (await import("./features/account/account-page.tsx")).AccountPage }) },
      // Loaded on first visit like the others: QR codes and passkey management stay out of the initial bundle.
      { path: "/security", lazy: async () => ({ Component: (await import("./features/security/security-page.tsx")).SecurityPage }) },
      { path: "/admin", lazy: async () => ({ Component: (await import("./features/admin/admin-page.tsx")).AdminPage }) },
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
