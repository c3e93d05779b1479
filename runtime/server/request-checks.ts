import { FieldChecks } from "../domain/validation.js";

/** Checks shared by every handler's request parsing; each throws INVALID_ARGUMENT with field details. */

export const MAX_BATCH_SIZE = 200;

/** A required resource id, normalized to lower case. */
export function requireId(field: string, value: string): string {
  const checks = new FieldChecks();
  checks.uuid(field, value);
  checks.throwIfAny();
  return value.toLowerCase();
}

/** An optional resource id ("" means none), normalized to lower case. */
export function optionalId(field: string, value: string): string | null {
  return value === "" ? null : requireId(field, value);
}

/** The ids of a BatchGet: 1 to MAX_BATCH_SIZE UUIDs, duplicates removed, order kept. */
export function requireIds(field: string, values: readonly string[]): string[] {
  const checks = new FieldChecks();
  checks.check(field, values.length >= 1 && values.length <= MAX_BATCH_SIZE, `must hold 1 to ${MAX_BATCH_SIZE} ids`);
  checks.throwIfAny();
  for (const [i, value] of values.entries()) checks.uuid(`${field}[${i}]`, value);
  checks.throwIfAny();
  return [...new Set(values.map((v) => v.toLowerCase()))];
}

/** Puts found items in the order they were asked for and names the missing ones. */
export function inRequestOrder<T extends { id: string }>(ids: readonly string[], found: readonly T[]) {
  const byId = new Map(found.map((item) => [item.id, item]));
  return {
    found: ids.flatMap((id) => byId.get(id) ?? []),
    notFoundIds: ids.filter((id) => !byId.has(id)),
  };
}
