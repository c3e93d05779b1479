import { FieldChecks } from "../domain/validation.js";

/**
 * The field paths of an update mask, as proto (snake_case) names. Clients
 * generated from the JSON mapping send camelCase, so both are accepted.
 * An empty mask or an unknown path is INVALID_ARGUMENT: an update never
 * guesses which fields were meant.
 */
export function updateMaskPaths<P extends string>(mask: readonly string[] | undefined, allowed: readonly P[]): Set<P> {
  const paths = (mask ?? []).map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  const checks = new FieldChecks();
  checks.check("update_mask", paths.length > 0, `must name at least one of: ${allowed.join(", ")}`);
  const unknown = paths.filter((p) => !(allowed as readonly string[]).includes(p));
  checks.check(
    "update_mask",
    unknown.length === 0,
    `cannot change ${unknown.join(", ")}; allowed: ${allowed.join(", ")}`,
  );
  checks.throwIfAny();
  return new Set(paths as P[]);
}
