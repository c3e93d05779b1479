// TRANSITIONAL: the pre-pipeline idempotency of the contexts not yet moved to commands.ts; deleted once they are.
import { invalidArgument } from "../domain/domain-error.js";
import { digestOf } from "./stable-json.js";

/**
 * Request-id idempotency for mutating calls. Every data service has the table
 * `idempotency_records (tenant_id, request_id, fingerprint, result jsonb)`
 * in its own schema; this module is the only code that reads or writes it.
 */

/** What Prisma clients and their transactions have in common that this module needs. */
export interface RawSql {
  // biome-ignore lint/suspicious/noExplicitAny: mirrors Prisma's own signature.
  $queryRawUnsafe<T = unknown>(query: string, ...values: any[]): Promise<T>;
}

export interface IdempotencyKey {
  tenantId: string;
  requestId: string;
  /** Digest of the method and the whole request: the same id with another payload is refused. */
  fingerprint: string;
}

const MAX_REQUEST_ID_LENGTH = 100;

/** Thrown inside a transaction when a concurrent call with the same key committed first. */
class RequestAlreadyRecorded extends Error {}

/**
 * The key of a mutating call. The fingerprint is a fast SHA-256 of the whole
 * request and is stored: a request that carries a secret (a password) must
 * blank it and add a slow, salted digest of it instead, as identity's
 * ChangePassword does.
 */
export function idempotencyKey(tenantId: string, method: string, request: { requestId: string }): IdempotencyKey {
  const requestId = request.requestId;
  if (requestId.trim() === "" || requestId.length > MAX_REQUEST_ID_LENGTH) {
    throw invalidArgument([{ field: "request_id", description: `required, 1 to ${MAX_REQUEST_ID_LENGTH} characters` }]);
  }
  return { tenantId, requestId, fingerprint: digestOf(method, request) };
}

/**
 * Runs `action` once per key: when the key was seen before, returns the first
 * result without running it. `action` must call `recordResult` inside the
 * transaction that writes its changes.
 */
export async function runOnce<T>(db: RawSql, key: IdempotencyKey, action: () => Promise<T>): Promise<T> {
  const first = await findFirstResult<T>(db, key);
  if (first !== undefined) return first;
  try {
    return await action();
  } catch (error) {
    // A concurrent call with the same key may have won while this one ran: it
    // then fails on the unique key, or later on a stale version or a rule the
    // first call's change now breaks. Either way the caller gets the first result.
    const winner = await findFirstResult<T>(db, key);
    if (winner !== undefined) return winner;
    if (error instanceof RequestAlreadyRecorded) throw new Error("idempotency record vanished after a conflict");
    throw error;
  }
}

/**
 * Records the result of the first call with this key, in the caller's
 * transaction. A concurrent call with the same key waits here on the unique
 * key until the first one commits, then gives up its own transaction.
 */
export async function recordResult(tx: RawSql, key: IdempotencyKey, result: unknown): Promise<void> {
  const inserted = await tx.$queryRawUnsafe<unknown[]>(
    `INSERT INTO idempotency_records (tenant_id, request_id, fingerprint, result)
     VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING RETURNING 1`,
    key.tenantId,
    key.requestId,
    key.fingerprint,
    JSON.stringify(result),
  );
  if (inserted.length === 0) throw new RequestAlreadyRecorded();
}

async function findFirstResult<T>(db: RawSql, key: IdempotencyKey): Promise<T | undefined> {
  const rows = await db.$queryRawUnsafe<{ fingerprint: string; result: unknown }[]>(
    "SELECT fingerprint, result FROM idempotency_records WHERE tenant_id = $1 AND request_id = $2",
    key.tenantId,
    key.requestId,
  );
  const row = rows[0];
  if (row === undefined) return undefined;
  if (row.fingerprint !== key.fingerprint) {
    throw invalidArgument(
      [{ field: "request_id", description: "was already used for a different request" }],
      "REQUEST_ID_REUSED",
    );
  }
  return (typeof row.result === "string" ? JSON.parse(row.result) : row.result) as T;
}
