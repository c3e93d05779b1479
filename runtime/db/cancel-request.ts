import { connect } from "node:net";
import type pg from "pg";

/** PostgreSQL's CancelRequest code (protocol 3.0, "Canceling Requests in Progress"). */
const CANCEL_REQUEST_CODE = 80877102;

/** What pg learns from BackendKeyData when it connects; not in its type declarations. */
interface BackendKey {
  processID: number | null;
  secretKey: number | null;
  host: string;
  port: number;
}

/**
 * Asks PostgreSQL to cancel the statement `client` is running, the way psql's
 * Ctrl-C does: a separate short connection carrying the backend's key. It
 * needs no pool slot and no authentication, so it works while the pool is
 * exhausted. Best effort: PostgreSQL answers nothing, and a cancel that
 * arrives after the statement ended does nothing to it, but it may hit the
 * connection's next statement, so the caller must not reuse the connection.
 */
export function sendCancelRequest(client: pg.PoolClient): void {
  const { processID, secretKey, host, port } = client as unknown as BackendKey;
  if (processID === null || secretKey === null) return;
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  message.writeInt32BE(processID, 8);
  message.writeInt32BE(secretKey, 12);
  const socket = host.startsWith("/") ? connect(`${host}/.s.PGSQL.${port}`) : connect(port, host);
  socket.setTimeout(5_000, () => socket.destroy());
  socket.on("error", () => {});
  socket.on("connect", () => socket.end(message));
}
