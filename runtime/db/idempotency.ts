import { invalidArgument, RuntimeReason } from "../domain/domain-error.js";
import { FieldChecks } from "../domain/validation.js";
import { type Sql, sql } from "./sql.js";
import { digestOf } from "./stable-json.js";

/**
 * Request-id idempotency records. Every data service has the table
 * `idempotency_records (tenant_id, request_id, fingerprint, response, create_time)`
 * in its own database; the command pipeline (commands.ts) is the only user of
 * this module.
 */

export interface IdempotencyKey {
  tenantId: string;
  requestId: string;
  /** Digest of the method and the whole request: the same id with another payload is refused. */
  fingerprint: string;
}

/**
 * The key of a mutating call. The fingerprint is a fast SHA-256 of the whole
 * request and is stored: a request that carries a secret (a password) must
 * blank it and add a slow, salted digest of it instead, as identity's
 * ChangePassword does.
 */
export function idempotencyKey(tenantId: string, method: string, request: { requestId: string }): IdempotencyKey {
  const requestId = request.requestId;
  const checks = new FieldChecks();
  checks.requestId("request_id", requestId);
  checks.throwIfAny();
  return { tenantId, requestId, fingerprint: digestOf(method, request) };
}

/** What a claim found: nothing (the key is now this transaction's), or the first call's record. */
export type Claim = { claimed: true } | { claimed: false; fingerprint: string; response: unknown } | { claimed: false };

// Inserts the key, or reads the record that holds it, in one round trip. The
// select sees the snapshot taken before a conflicting insert it waited for
// committed, so a key won by a concurrent call during this statement reads as
// neither claimed nor found: `findRecord` then reads it.
const CLAIM = sql(`
  WITH claim AS (
    INSERT INTO idempotency_records (tenant_id, request_id, fingerprint)
    VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM claim) AS claimed, r.fingerprint, r.response
  FROM (SELECT 1) AS one
  LEFT JOIN idempotency_records r ON r.tenant_id = $1 AND r.request_id = $2`);

const FIND = sql("SELECT fingerprint, response FROM idempotency_records WHERE tenant_id = $1 AND request_id = $2");

const COMPLETE = sql("UPDATE idempotency_records SET response = $3 WHERE tenant_id = $1 AND request_id = $2");

interface RecordRow {
  claimed?: boolean;
  fingerprint: string | null;
  response: unknown;
}

/**
 * Claims `key` for the transaction `tx`: a concurrent call with the same key
 * waits on the key's unique index until this transaction ends.
 */
export async function claimKey(tx: Sql, key: IdempotencyKey): Promise<Claim> {
  const [row] = await tx.rows<RecordRow>(CLAIM, [key.tenantId, key.requestId, key.fingerprint]);
  if (row?.claimed) return { claimed: true };
  const found = row?.fingerprint ? row : (await tx.rows<RecordRow>(FIND, [key.tenantId, key.requestId]))[0];
  if (!found?.fingerprint) return { claimed: false };
  return { claimed: false, fingerprint: found.fingerprint, response: found.response };
}

/** Stores the response of the call that claimed `key`, in its transaction. */
export async function completeKey(tx: Sql, key: IdempotencyKey, response: unknown): Promise<void> {
  await tx.count(COMPLETE, [key.tenantId, key.requestId, JSON.stringify(response)]);
}

/** The first call's response for a repeat of `key`; REQUEST_ID_REUSED when the payload differs. */
export function replayOf(key: IdempotencyKey, record: { fingerprint: string; response: unknown }): unknown {
  if (record.fingerprint !== key.fingerprint) {
    throw invalidArgument(
      [{ field: "request_id", description: "was already used for a different request" }],
      RuntimeReason.REQUEST_ID_REUSED,
    );
  }
  return record.response;
}
