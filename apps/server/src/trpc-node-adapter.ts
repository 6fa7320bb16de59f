// A lean node:http adapter for the tRPC requests real clients send: JSON queries over GET and JSON
// mutations over POST, single or batched (`?batch=1`), to procedures that exist and match the
// method. It runs the procedures itself with tRPC's public pieces (the router's procedures,
// getTRPCErrorShape, getHTTPStatusCode, transformTRPCResponse) and writes the answer straight to
// the ServerResponse: no Fetch Request, Headers, URL, AbortSignal or Response per request, which
// tRPC's resolveResponse builds for every request whatever it asks (docs/decisions/027-lean-trpc-adapter.md).
// Every other request (streaming or subscription calls, form data, unknown procedures, a method
// that does not fit, an oversized batch, an unusual target) goes to `fallback`, tRPC's own fetch
// adapter, which answers it exactly as before. For what it serves, the answers are those of
// resolveResponse byte for byte: trpc-node-adapter.test.ts compares the two on the same requests.
import type { IncomingMessage, ServerResponse } from "node:http";
import { getTRPCErrorFromUnknown, getTRPCErrorShape, TRPCError, transformTRPCResponse, type AnyTRPCRouter } from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";
import type { TRPCResponse } from "@trpc/server/rpc";

/** The body the edge has already read (request-body.ts), for POST; GET requests have none. */
export type BufferedRequest = IncomingMessage & { rawBody?: Buffer };

type ProcedureType = "query" | "mutation";
type CallResult = [error: TRPCError, data: undefined] | [error: undefined, data: unknown];

interface Procedure {
  (opts: { path: string; getRawInput: () => Promise<unknown>; ctx: unknown; type: ProcedureType; signal: undefined; batchIndex: number }): Promise<unknown>;
  _def: { type: "query" | "mutation" | "subscription" };
}

export interface TrpcNodeAdapterOptions<TContext> {
  router: AnyTRPCRouter;
  /** The path prefix of the API, with its slashes: "/trpc/". */
  endpoint: string;
  createContext: (req: IncomingMessage, res: ServerResponse) => Promise<TContext>;
  maxBatchSize: number;
  /** Extra response headers for the calls' errors (Retry-After): the fetch adapter's responseMeta. */
  getErrorHeaders: (errors: TRPCError[]) => Record<string, string>;
  onError: (opts: { error: TRPCError; path?: string }) => void;
  /** Answers what this adapter does not serve: tRPC's fetch adapter. */
  fallback: (req: BufferedRequest, res: ServerResponse) => Promise<void>;
}

// A procedure path (or a batch of them): names, dots and commas only. Anything else (percent-
// encoding, slashes, dot segments, non-ASCII) is normalised by the URL parser the fallback uses.
const PLAIN_PATHS = /^[A-Za-z0-9_$-]+(?:[.,][A-Za-z0-9_$-]+)*$/;
// A query the URL parser would leave as it is: printable ASCII, no fragment.
const PLAIN_QUERY = /^[\x21-\x22\x24-\x7e]*$/;
const METHOD_TYPES: Record<string, ProcedureType> = { GET: "query", POST: "mutation" };
// What resolveResponse sends with every answer.
const VARY = "trpc-accept, accept";
const INTERNAL_ERROR_BODY = JSON.stringify({ error: { message: "Internal error" } });
// Decodes a POST body as the Fetch API's Request.json() does: UTF-8, a leading BOM dropped.
const utf8 = new TextDecoder();

/** Whether a request's headers ask for nothing but plain JSON (no streaming, no form data). */
function acceptsPlainJson(req: IncomingMessage): boolean {
  const { headers } = req;
  if (headers["trpc-accept"] !== undefined) return false;
  if (headers.accept?.includes("application/jsonl")) return false;
  const contentType = headers["content-type"];
  if (contentType === undefined) return req.method === "GET";
  return contentType.split(";", 1)[0]!.trim().toLowerCase() === "application/json";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPromiseLike(value: unknown): boolean {
  return (isPlainObject(value) || typeof value === "function") && typeof (value as { then?: unknown }).then === "function" && typeof (value as { catch?: unknown }).catch === "function";
}

function isAsyncIterableValue(value: unknown): boolean {
  return isPlainObject(value) && Symbol.asyncIterator in value;
}

/** resolveResponse's check: a promise or iterator in a plain JSON answer needs a streaming link. */
function isDataStream(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  if (isAsyncIterableValue(value)) return true;
  const values = Object.values(value);
  return values.some(isPromiseLike) || values.some(isAsyncIterableValue);
}

function createStreamLikeError(): TRPCError {
  return new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink" });
}

/** The calls' inputs, parsed once for the whole batch, as tRPC's JSON content handler parses them. */
function createInputReader(router: AnyTRPCRouter, req: BufferedRequest, input: string | null, isBatch: boolean, callCount: number) {
  const transformer = router._def._config.transformer;
  let inputs: Promise<Record<number, unknown>> | null = null;
  let parsed: Record<number, unknown> | null = null;
  const parse = (): Record<number, unknown> => {
    let raw: unknown;
    if (req.method === "GET") {
      if (input) raw = JSON.parse(input);
    } else {
      raw = JSON.parse(utf8.decode(req.rawBody));
    }
    const result: Record<number, unknown> = Object.create(null);
    if (raw === undefined) return result;
    if (!isBatch) {
      result[0] = transformer.input.deserialize(raw);
      return result;
    }
    if (!isPlainObject(raw)) throw new TRPCError({ code: "BAD_REQUEST", message: '"input" needs to be an object when doing a batch call' });
    for (let index = 0; index < callCount; index++) {
      const value = raw[index];
      if (value !== undefined) result[index] = transformer.input.deserialize(value);
    }
    return result;
  };
  return {
    read(): Promise<Record<number, unknown>> {
      inputs ??= Promise.resolve().then(() => {
        try {
          parsed = parse();
          return parsed;
        } catch (cause) {
          if (cause instanceof TRPCError) throw cause;
          throw new TRPCError({ code: "BAD_REQUEST", message: cause instanceof Error ? cause.message : "Invalid input", cause });
        }
      });
      return inputs;
    },
    /** What was parsed, for error shapes; undefined until a call read it. */
    result: (index: number) => parsed?.[index],
  };
}

export function createTrpcNodeHandler<TContext>(options: TrpcNodeAdapterOptions<TContext>) {
  const { router, endpoint, maxBatchSize } = options;
  const config = router._def._config;
  const procedures = router._def.procedures as Record<string, Procedure>;

  /** The procedures a request names, or null when any is missing or does not take this method. */
  function findProcedures(paths: string[], type: ProcedureType): Procedure[] | null {
    const found: Procedure[] = [];
    for (const path of paths) {
      const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
      if (procedure?._def.type !== type) return null;
      found.push(procedure);
    }
    return found;
  }

  async function serve(req: BufferedRequest, res: ServerResponse, paths: string[], calls: Procedure[], type: ProcedureType, isBatch: boolean, input: string | null) {
    let ctx: TContext | undefined;
    let contextError: TRPCError | undefined;
    try {
      ctx = await options.createContext(req, res);
    } catch (cause) {
      contextError = getTRPCErrorFromUnknown(cause);
    }
    const inputs = createInputReader(router, req, input, isBatch, paths.length);
    const results = await Promise.all(
      calls.map(async (procedure, index): Promise<CallResult> => {
        const path = paths[index]!;
        try {
          if (contextError) throw contextError;
          const data = await procedure({
            path,
            getRawInput: async () => (await inputs.read())[index],
            ctx,
            type,
            signal: undefined,
            batchIndex: index,
          });
          return [undefined, data];
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          options.onError({ error, path });
          return [error, undefined];
        }
      }),
    );
    const errors: TRPCError[] = [];
    let envelopes: TRPCResponse[];
    let body: string;
    try {
      // A promise or iterator in the answer fails the call in a batch, the whole request otherwise.
      if (!isBatch && isDataStream(results[0]![1])) throw createStreamLikeError();
      envelopes = results.map(([callError, data], index): TRPCResponse => {
        const error = callError ?? (isBatch && isDataStream(data) ? createStreamLikeError() : undefined);
        if (!error) return { result: { data } };
        errors.push(error);
        const path = paths[index]!;
        return { error: getTRPCErrorShape({ config, ctx, error, input: inputs.result(index), path, type }) };
      });
      body = JSON.stringify(transformTRPCResponse(config, isBatch ? envelopes : envelopes[0]!));
    } catch (cause) {
      // An answer that does not serialise (a BigInt, a cycle) or streams: one error for the whole request, as resolveResponse sends.
      const error = getTRPCErrorFromUnknown(cause);
      options.onError({ error });
      errors.splice(0, errors.length, error);
      envelopes = [{ error: getTRPCErrorShape({ config, ctx, error, input: undefined, path: undefined, type }) }];
      body = JSON.stringify(transformTRPCResponse(config, envelopes[0]!));
    }
    res.writeHead(getHTTPStatusCode(envelopes), {
      ...(errors.length > 0 ? options.getErrorHeaders(errors) : {}),
      vary: VARY,
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  }

  return (req: BufferedRequest, res: ServerResponse): Promise<void> => {
    const url = req.url ?? endpoint;
    const type = METHOD_TYPES[req.method ?? ""];
    const queryStart = url.indexOf("?");
    const pathPart = url.slice(endpoint.length, queryStart === -1 ? undefined : queryStart);
    const query = queryStart === -1 ? "" : url.slice(queryStart + 1);
    if (!type || !url.startsWith(endpoint) || !PLAIN_PATHS.test(pathPart) || !PLAIN_QUERY.test(query) || !acceptsPlainJson(req)) {
      return options.fallback(req, res);
    }
    const searchParams = new URLSearchParams(query);
    if (searchParams.has("connectionParams")) return options.fallback(req, res);
    const isBatch = searchParams.get("batch") === "1";
    const paths = isBatch ? pathPart.split(",") : [pathPart];
    if (isBatch && paths.length > maxBatchSize) return options.fallback(req, res);
    const calls = findProcedures(paths, type);
    if (!calls) return options.fallback(req, res);
    return serve(req, res, paths, calls, type, isBatch, searchParams.get("input")).catch((error: unknown) => {
      // Calls and their errors are answered above; this is a bug in the adapter or its options.
      // The edge calls the handler without awaiting it: a rejection here would end the process.
      console.error("tRPC adapter failed:", error);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { "content-type": "application/json" }).end(INTERNAL_ERROR_BODY);
    });
  };
}
