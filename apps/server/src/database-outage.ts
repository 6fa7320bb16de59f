// Which database failures are an outage (the server is down, restarting, unreachable, out of
// connections or too slow) rather than a bug: requests then answer 503 with Retry-After, and the
// pool reconnects by itself once the database is back (DESIGN §8, docs/deployment.md).

/** How long clients should wait before retrying, in seconds: a restart or failover takes a few. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

// What @prisma/adapter-pg reports for socket failures (its convertDriverError).
const OUTAGE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
// SQLSTATE: class 08 connection exception; 57P01-03 shutdown or starting up; 57014 our
// statement_timeout fired; 53300 too many connections.
const OUTAGE_SQLSTATE = /^(08...|57P0[123]|57014|53300)$/;
// node-postgres raises these as plain errors: a dropped connection, the connect or pool-acquire
// timeout, the client-side read timeout, a client that broke earlier.
const OUTAGE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error)/;
// node-postgres' socket errors (errno codes) when the session lookup's pool (db.sql) cannot connect.
const OUTAGE_SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH"]);
// Prisma's own codes for the same: cannot reach, timed out, connection closed, pool timeout.
const OUTAGE_PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);

interface ErrorFields {
  kind?: unknown;
  code?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

function isOutageCause(fields: ErrorFields): boolean {
  if (fields.constructor?.name === "PrismaClientInitializationError") return true;
  if (typeof fields.kind === "string" && OUTAGE_KINDS.has(fields.kind)) return true;
  // node-postgres' own DatabaseError (db.sql) carries the SQLSTATE in `code`, like the adapter's "postgres" kind.
  const sqlState = fields.kind === "postgres" || fields.constructor?.name === "DatabaseError" ? fields.code : fields.originalCode;
  if (typeof sqlState === "string" && OUTAGE_SQLSTATE.test(sqlState)) return true;
  if (typeof fields.code === "string" && (OUTAGE_PRISMA_CODES.has(fields.code) || OUTAGE_SOCKET_CODES.has(fields.code))) return true;
  return typeof fields.message === "string" && OUTAGE_MESSAGE.test(fields.message);
}

/** Whether `error` (or what it wraps: Prisma's driver-adapter error, a TRPCError's cause) is an outage. */
export function isDatabaseOutageError(error: unknown): boolean {
  const pending = [error];
  // Prisma error → DriverAdapterError → mapped cause: a few levels at most.
  for (let depth = 0; depth < 8 && pending.length > 0; depth++) {
    const current = pending.pop();
    if (typeof current !== "object" || current === null) continue;
    const fields = current as ErrorFields;
    if (isOutageCause(fields)) return true;
    pending.push(fields.cause, fields.meta?.driverAdapterError);
  }
  return false;
}
