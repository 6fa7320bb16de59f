// The frame of the signed-out pages (sign in, sign up): a card with the form, and a redirect to
// `next` as soon as the server confirms a session, whether it existed already or the form made it.
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { CardPage } from "../../components/card-page.tsx";
import { LoadingMessage } from "../../components/message.tsx";
import { Navigate, useSearchParams } from "../../lib/router.tsx";
import { useTRPC } from "../../lib/trpc.ts";
import { sanitizeNextPath } from "./next-path.ts";

export function AuthPage({ title, footer, children }: { title: string; footer: ReactNode; children: ReactNode }) {
  const trpc = useTRPC();
  const searchParams = useSearchParams();
  // Always ask the server: a cached answer may belong to a session that has just ended.
  const me = useQuery(trpc.auth.me.queryOptions(undefined, { refetchOnMount: "always" }));

  if (me.data && !me.isFetching) return <Navigate to={sanitizeNextPath(searchParams.get("next"))} replace />;
  return (
    <CardPage title={title} footer={footer}>
      {me.isPending ? <LoadingMessage>Checking your session…</LoadingMessage> : children}
    </CardPage>
  );
}

/** Keeps `next` (and nothing else) when moving between the sign-in and sign-up pages. */
export function useNextParam(): string {
  const searchParams = useSearchParams();
  const next = searchParams.get("next");
  return next ? `?${new URLSearchParams({ next }).toString()}` : "";
}
