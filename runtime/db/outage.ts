/**
 * Whether an error means the database cannot be reached right now (a
 * dependency outage, retryable), as opposed to a bug. Connection failures
 * surface from Node's sockets (ECONNREFUSED ...), from pg ("Connection
 * terminated", a pool that cannot connect in time) or from PostgreSQL itself
 * (SQLSTATE class 08 connection exceptions; 57P01–57P03 shutdown, crash and
 * "not yet accepting connections"; 53300 too many connections; 57014, a
 * statement cancelled by DATABASE_STATEMENT_TIMEOUT_MS: the database did not
 * answer in time, frozen, overloaded or waiting on a lock, which a later
 * attempt may not meet).
 */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENOTFOUND"]);
const SERVER_CODES = new Set(["57P01", "57P02", "57P03", "53300", "57014"]);
const PG_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error/,
  /Client was closed and is not queryable/,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === "string" && (SOCKET_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith("08"))) {
    return true;
  }
  if (typeof message === "string" && PG_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // pg-pool reports a failed connect as an AggregateError of each address tried.
  return error instanceof AggregateError && error.errors.some(isDatabaseUnavailable);
}
