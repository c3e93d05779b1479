import { createHash } from "node:crypto";

/** JSON with object keys sorted, so equal values always serialize the same. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** A short, stable digest of some parts, e.g. a request or a list filter. */
export function digestOf(...parts: unknown[]): string {
  return createHash("sha256").update(stableJson(parts)).digest("base64url");
}
