import { invalidArgument } from "../domain/domain-error.js";
import { digestOf } from "./stable-json.js";

/**
 * Opaque keyset page tokens. A token holds the last key of its page and a
 * digest binding it to the tenant and the filters it was issued for, so it
 * cannot be replayed against another tenant or another query. Queries are
 * tenant-scoped anyway; the binding makes misuse an error instead of a
 * confusing page.
 */

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export function pageSizeOf(requested: number): number {
  if (!Number.isInteger(requested) || requested < 0) {
    throw invalidArgument([{ field: "page_size", description: "must not be negative" }]);
  }
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  return Math.min(requested, MAX_PAGE_SIZE);
}

export function encodePageToken(tenantId: string, filter: unknown, lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey, s: digestOf(tenantId, filter) })).toString("base64url");
}

/** The last key of the previous page, or undefined for the first page. */
export function decodePageToken(token: string, tenantId: string, filter: unknown): string | undefined {
  if (token === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const { k, s } = (parsed ?? {}) as { k?: unknown; s?: unknown };
  if (typeof k !== "string" || s !== digestOf(tenantId, filter)) {
    throw invalidArgument(
      [{ field: "page_token", description: "is not a token issued for this query; start again without one" }],
      "INVALID_PAGE_TOKEN",
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
  rows: readonly T[],
  pageSize: number,
  tenantId: string,
  filter: unknown,
  keyOf: (row: T) => string = (row) => (row as { id: string }).id,
) {
  const items = rows.slice(0, pageSize);
  const last = items.at(-1);
  const nextPageToken =
    rows.length > pageSize && last !== undefined ? encodePageToken(tenantId, filter, keyOf(last)) : "";
  return { items, nextPageToken };
}
