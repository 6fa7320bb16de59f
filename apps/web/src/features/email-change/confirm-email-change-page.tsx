// Where the link mailed to a new address lands: one button confirms the change (POST), after which
// the account signs in with the new address. No session is needed: the link proves the address.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { CardPage } from "../../components/card-page.tsx";
import { ErrorAlert, Notice } from "../../components/message.tsx";
import { getErrorMessage } from "../../lib/api-error.ts";
import { NoReferrer, useLinkToken } from "../../lib/link-token.tsx";
import { Link } from "../../lib/router.tsx";
import { useTRPC } from "../../lib/trpc.ts";

export function ConfirmEmailChangePage() {
  const trpc = useTRPC();
  const token = useLinkToken();
  const queryClient = useQueryClient();
  const confirm = useMutation(trpc.account.confirmEmailChange.mutationOptions({ onSuccess: () => queryClient.invalidateQueries() }));

  return (
    <CardPage title="Confirm your new email" footer={<Link to="/account">Go to your account</Link>}>
      <NoReferrer />
      <ErrorAlert message={token ? getErrorMessage(confirm.error) : "This page needs the link from your email."} />
      {confirm.isSuccess ? (
        <Notice>
          Your email address is now <strong>{confirm.data.email}</strong>. Sign in with it from now on.
        </Notice>
      ) : confirm.isError || !token ? (
        <p>
          <Link to="/account">Request a new link from your account page</Link>
        </p>
      ) : (
        <>
          <p>Confirm that this is the new email address of your account. It changes only once you do.</p>
          <button type="button" disabled={confirm.isPending} onClick={() => confirm.mutate({ token })}>
            {confirm.isPending ? "Confirming…" : "Confirm my new email"}
          </button>
        </>
      )}
    </CardPage>
  );
}
