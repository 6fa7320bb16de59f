// A stand-in for the API at the fetch level, for component tests: each test says how procedures
// answer, and the app's real tRPC client (httpBatchLink) talks to it in the server's wire format.
import { vi } from "vitest";

type ErrorCode = "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "TOO_MANY_REQUESTS" | "INTERNAL_SERVER_ERROR";

// JSON-RPC code and HTTP status per tRPC error code, as @trpc/server sends them.
const ERROR_CODES: Record<ErrorCode, { rpc: number; http: number }> = {
  BAD_REQUEST: { rpc: -32600, http: 400 },
  UNAUTHORIZED: { rpc: -32001, http: 401 },
  FORBIDDEN: { rpc: -32003, http: 403 },
  NOT_FOUND: { rpc: -32004, http: 404 },
  CONFLICT: { rpc: -32009, http: 409 },
  TOO_MANY_REQUESTS: { rpc: -32029, http: 429 },
  INTERNAL_SERVER_ERROR: { rpc: -32603, http: 500 },
};
const MULTI_STATUS = 207;

/**
 * Throw this from a handler to answer with a tRPC error: for BAD_REQUEST with field errors, and
 * with the other fields the server's errorFormatter adds (retryAfterSeconds, reauthenticationRequired).
 */
export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors: Record<string, string[]> | null = null,
    readonly extraData: { retryAfterSeconds?: number; reauthenticationRequired?: boolean; emailVerificationRequired?: boolean } = {},
  ) {
    super(message);
  }
}

export const unauthorized = () => new ApiFailure("UNAUTHORIZED", "Sign in to continue.");

/** A rate-limited answer, worded as the server words it (apps/server/src/trpc.ts). */
export const tooManyRequests = (retryAfterSeconds: number, message: string) =>
  new ApiFailure("TOO_MANY_REQUESTS", message, null, { retryAfterSeconds });

export const reauthenticationRequired = () =>
  new ApiFailure("FORBIDDEN", "Enter your password again to continue.", null, { reauthenticationRequired: true });

type Handler = (input: unknown) => unknown;

async function answer(path: string, handler: Handler | undefined, input: unknown) {
  try {
    if (!handler) throw new ApiFailure("NOT_FOUND", `No fake answer for ${path}`);
    return { status: 200, body: { result: { data: await handler(input) } } };
  } catch (error) {
    if (!(error instanceof ApiFailure)) throw error;
    const { rpc, http } = ERROR_CODES[error.code];
    const zodError = error.fieldErrors ? { formErrors: [], fieldErrors: error.fieldErrors } : null;
    const data = {
      code: error.code,
      httpStatus: http,
      path,
      zodError,
      retryAfterSeconds: error.extraData.retryAfterSeconds ?? null,
      reauthenticationRequired: error.extraData.reauthenticationRequired ?? false,
      emailVerificationRequired: error.extraData.emailVerificationRequired ?? false,
    };
    return { status: http, body: { error: { message: error.message, code: rpc, data } } };
  }
}

/** Replaces global fetch; undo with vi.unstubAllGlobals(). */
export function installFakeApi() {
  const handlers = new Map<string, Handler>();
  const calls: Array<{ path: string; input: unknown }> = [];

  async function fakeFetch(url: string | URL | Request, init?: RequestInit): Promise<Response> {
    const { pathname, searchParams } = new URL(String(url), "http://app.test");
    const paths = pathname.replace(/^\/trpc\//, "").split(",");
    const rawInputs = init?.method === "POST" ? init.body : searchParams.get("input");
    const inputs = (rawInputs ? JSON.parse(String(rawInputs)) : {}) as Record<string, unknown>;
    const answers = await Promise.all(
      paths.map((path, index) => {
        calls.push({ path, input: inputs[index] });
        return answer(path, handlers.get(path), inputs[index]);
      }),
    );
    const statuses = new Set(answers.map(({ status }) => status));
    const status = statuses.size === 1 ? [...statuses][0] : MULTI_STATUS;
    // A JSON round trip, like the real server's: dates arrive as strings.
    return new Response(JSON.stringify(answers.map(({ body }) => body)), {
      status,
      headers: { "Content-Type": "application/json" },
    });
  }

  vi.stubGlobal("fetch", vi.fn(fakeFetch));
  return {
    /** How `path` ("auth.me", "note.create", ...) answers from now on: return data or throw ApiFailure. */
    on(path: string, handler: Handler) {
      handlers.set(path, handler);
    },
    callsTo: (path: string) => calls.filter((call) => call.path === path).map((call) => call.input),
  };
}

export const SIGNED_IN = {
  user: { id: "user-1", email: "ada@example.com", name: "Ada Lovelace", emailVerified: true },
  session: { id: "session-1", kind: "cookie", expiresAt: new Date("2030-01-01T00:00:00Z") },
  emailVerification: "required",
};
