// The app: which page answers which URL, the API clients, and where people go when their session
// ends. main.tsx renders it with the browser's history; tests with an in-memory one. Every page is
// its own chunk, loaded when its route first matches: the first load carries only the shell.
import { QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
import { LoadingMessage } from "./components/message.tsx";
import { ToastProvider } from "./components/toast.tsx";
import { buildSignInPath } from "./features/auth/next-path.ts";
import { SignedInLayout } from "./features/auth/signed-in-layout.tsx";
import { Link, RouterView, type Route, type Router } from "./lib/router.tsx";
import { createApiClients, TRPCProvider } from "./lib/trpc.ts";

export const routes: Route[] = [
  { path: "/sign-in", lazy: async () => (await import("./features/auth/sign-in-page.tsx")).SignInPage },
  { path: "/sign-up", lazy: async () => (await import("./features/auth/sign-up-page.tsx")).SignUpPage },
  // Pages mailed links land on (the server sends them with Referrer-Policy: no-referrer).
  { path: "/verify-email", lazy: async () => (await import("./features/email-verification/verify-email-page.tsx")).VerifyEmailPage },
  { path: "/forgot-password", lazy: async () => (await import("./features/password-reset/forgot-password-page.tsx")).ForgotPasswordPage },
  { path: "/reset-password", lazy: async () => (await import("./features/password-reset/reset-password-page.tsx")).ResetPasswordPage },
  { path: "/confirm-email-change", lazy: async () => (await import("./features/email-change/confirm-email-change-page.tsx")).ConfirmEmailChangePage },
  // The signed-in pages: SignedInLayout sends visitors without a session to sign in.
  { path: "/", layout: SignedInLayout, lazy: async () => (await import("./features/notes/notes-page.tsx")).NotesPage },
  { path: "/sessions", layout: SignedInLayout, lazy: async () => (await import("./features/sessions/sessions-page.tsx")).SessionsPage },
  { path: "/account", layout: SignedInLayout, lazy: async () => (await import("./features/account/account-page.tsx")).AccountPage },
  // Loaded on first visit like the others: QR codes and passkey management stay out of the initial bundle.
  { path: "/security", layout: SignedInLayout, lazy: async () => (await import("./features/security/security-page.tsx")).SecurityPage },
  { path: "/admin", layout: SignedInLayout, lazy: async () => (await import("./features/admin/admin-page.tsx")).AdminPage },
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

/** A page's chunk would not load (offline, or a deployment replaced it): a reload fetches it anew. */
function PageLoadFailed() {
  return (
    <main className="auth">
      <div role="alert" className="card auth-card">
        <h1>This page could not be loaded</h1>
        <p>
          Check your connection, then{" "}
          <button type="button" className="button-link" onClick={() => window.location.reload()}>
            reload the page
          </button>
          .
        </p>
      </div>
    </main>
  );
}

export function App({ router }: { router: Router }) {
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
          <RouterView
            router={router}
            pending={
              <main className="auth">
                <LoadingMessage />
              </main>
            }
            failed={<PageLoadFailed />}
          />
        </ToastProvider>
      </TRPCProvider>
    </QueryClientProvider>
  );
}
