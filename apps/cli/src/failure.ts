// What the CLI says when a command fails, and its exit code: usage mistakes, not signed in, an
// ended session, an unreachable server, or the server's own refusal.
import { TRPCClientError } from "@trpc/client";
import { SessionEndedError } from "./api-client.ts";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Not signed in, wrong email or password, or the session has ended. */
export const EXIT_SIGNED_OUT = 3;

export class UsageError extends Error {}
export class NotSignedInError extends Error {}

function findCause<T>(error: unknown, match: (cause: unknown) => cause is T): T | null {
  for (let cause = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if (match(cause)) return cause;
  }
  return null;
}

const isSessionEnded = (cause: unknown): cause is SessionEndedError => cause instanceof SessionEndedError;
/** A failure below HTTP: refused, unknown host, reset, timed out. */
const isNetworkFailure = (cause: unknown): cause is Error & { code?: string } =>
  cause instanceof Error && (cause.name === "TimeoutError" || /^(E[A-Z]+|UND_ERR_\w+)$/.test(String((cause as { code?: unknown }).code)));

export function reportFailure(error: unknown, context: { serverUrl: string | null; usage: string }): { text: string; exitCode: number } {
  const fail = (text: string, exitCode: number) => ({ text, exitCode });
  const isParseError = error instanceof TypeError && String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS");
  if (error instanceof UsageError || isParseError) {
    return fail(`${(error as Error).message}\n\n${context.usage}`, EXIT_USAGE);
  }
  if (error instanceof NotSignedInError) return fail("Not signed in. Run: latchkey sign-in", EXIT_SIGNED_OUT);
  const ended = findCause(error, isSessionEnded);
  if (ended) return fail(`${ended.message} Run: latchkey sign-in`, EXIT_SIGNED_OUT);
  const network = findCause(error, isNetworkFailure);
  if (network) {
    const reason = network.code ?? network.name;
    return fail(`Cannot reach the latchkey server at ${context.serverUrl ?? "?"} (${reason}). Is it running, and is the URL right?`, EXIT_FAILURE);
  }
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; zodError?: { fieldErrors: Record<string, string[]> } | null } | undefined;
    if (data?.code === "UNAUTHORIZED") return fail(error.message, EXIT_SIGNED_OUT);
    const fields = Object.entries(data?.zodError?.fieldErrors ?? {}).map(([field, messages]) => `  ${field}: ${messages.join(" ")}`);
    return fail([`The server refused the request: ${error.message}`, ...fields].join("\n"), EXIT_FAILURE);
  }
  return fail(`Error: ${error instanceof Error ? error.message : String(error)}`, EXIT_FAILURE);
}
