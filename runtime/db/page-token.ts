import { createHmac, timingSafeEqual } from "node:crypto";
import { invalidArgument, RuntimeReason } from "../domain/domain-error.js";
import { readPageTokenKey } from "./db-config.js";
import { stableJson } from "./stable-json.js";

/**
 * Opaque keyset page tokens. A token holds the last key of its page and an
 * HMAC, under the service's PAGE_TOKEN_KEY, of that key with the method, the
 * tenant and the filters it was issued for: a token cannot be forged (its
 * key reaches SQL only once signed by us), nor replayed against another
 * method, tenant or query. Every such misuse is INVALID_ARGUMENT
 * INVALID_PAGE_TOKEN, never a confusing page or an INTERNAL.
 */

/** The list method a token is issued by (a generated method definition: list names differ within a service). */
export interface PagedMethod {
  readonly name: string;
}

const key = readPageTokenKey();

function signatureOf(method: PagedMethod, tenantId: string, filter: unknown, lastKey: string): Buffer {
  return createHmac("sha256", key)
    .update(stableJson([method.name, tenantId, filter, lastKey]))
    .digest();
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export function pageSizeOf(requested: number): number {
  if (!Number.isInteger(requested) || requested < 0) {
    throw invalidArgument([{ field: "page_size", description: "must not be negative" }]);
  }
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}

export function encodePageToken(method: PagedMethod, tenantId: string, filter: unknown, lastKey: string): string {
  const s = signatureOf(method, tenantId, filter, lastKey).toString("base64url");
  return Buffer.from(JSON.stringify({ k: lastKey, s })).toString("base64url");
}

/** The last key of the previous page, or undefined for the first page. */
export function decodePageToken(
  method: PagedMethod,
  token: string,
  tenantId: string,
  filter: unknown,
): string | undefined {
  if (token === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const { k, s } = (parsed ?? {}) as { k?: unknown; s?: unknown };
  const given = typeof s === "string" ? Buffer.from(s, "base64url") : Buffer.alloc(0);
  const expected = typeof k === "string" ? signatureOf(method, tenantId, filter, k) : undefined;
  if (typeof k !== "string" || !expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalidArgument(
      [{ field: "page_token", description: "is not a token issued for this query; start again without one" }],
      RuntimeReason.INVALID_PAGE_TOKEN,
    );
  }
  return k;
}

/**
 * Cuts one page from rows read with `limit: pageSize + 1` (the extra row only
 * tells that a next page exists) and issues the token of the next page,
 * holding the last row's key: its id unless `keyOf` says otherwise.
 */
export function pageOf<T>(
  method: PagedMethod,
  rows: readonly T[],
  pageSize: number,
  tenantId: string,
  filter: unknown,
  keyOf: (row: T) => string = (row) => (row as { id: string }).id,
) {
  const items = rows.slice(0, pageSize);
  const last = items.at(-1);
  const nextPageToken =
    rows.length > pageSize && last !== undefined ? encodePageToken(method, tenantId, filter, keyOf(last)) : "";
  return { items, nextPageToken };
}
