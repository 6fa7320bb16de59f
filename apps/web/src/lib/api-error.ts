// Reads the errors tRPC calls fail with: the server's error code, its message for people, and the
// per-field messages its errorFormatter adds for invalid input (`data.zodError`).
import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "@latchkey/server";

const NETWORK_MESSAGE = "Could not reach the server. Check your connection and try again.";
const SERVER_FAILURE_MESSAGE = "Something went wrong on our side. Please try again.";
const INVALID_INPUT_MESSAGE = "Please correct the highlighted fields.";

export type FieldErrors = Partial<Record<string, string>>;

function asApiError(error: unknown): TRPCClientError<AppRouter> | null {
  return error instanceof TRPCClientError ? (error as TRPCClientError<AppRouter>) : null;
}

/** True when the server wants the password again before this call (sudo mode): ask, then retry. */
export function isReauthenticationRequired(error: unknown): boolean {
  return asApiError(error)?.data?.reauthenticationRequired === true;
}

/** True when the session has passed its password only: the sign-in page asks for the second factor. */
export function isSecondFactorRequired(error: unknown): boolean {
  return asApiError(error)?.data?.secondFactorRequired === true;
}

/** True when the call failed because there is no valid session (signed out, expired or revoked). */
export function isUnauthorized(error: unknown): boolean {
  return asApiError(error)?.data?.code === "UNAUTHORIZED";
}

/** Server failures and lost connections may pass on a retry; a 4xx answer will not change. */
export function isRetryable(error: unknown): boolean {
  const status = asApiError(error)?.data?.httpStatus;
  return status === undefined || status >= 500;
}

/** The first message for each invalid field, keyed by input name. */
export function getFieldErrors(error: unknown): FieldErrors {
  // Typed `{}` because the server flattens errors of many input schemas; it is string[] per field.
  const fieldErrors: Partial<Record<string, string[]>> = asApiError(error)?.data?.zodError?.fieldErrors ?? {};
  return Object.fromEntries(Object.entries(fieldErrors).map(([field, messages]) => [field, messages?.[0]]));
}

/** The message for the form's alert region, or null when there was no error. */
export function getErrorMessage(error: unknown): string | null {
  if (!error) return null;
  const apiError = asApiError(error);
  const data = apiError?.data;
  // No tRPC error data means the request never got a tRPC answer (offline, or a proxy's error page).
  if (!apiError || !data) return NETWORK_MESSAGE;
  if (data.code === "INTERNAL_SERVER_ERROR") return SERVER_FAILURE_MESSAGE;
  // An invalid-input error's own message is the raw zod dump; the fields carry the real messages.
  if (data.zodError) return data.zodError.formErrors[0] ?? INVALID_INPUT_MESSAGE;
  return apiError.message;
}
