import { type ContractReason, type FieldViolation, invalidArgument } from "./domain-error.js";

/** A request id is counted in characters (code points), as the contracts document it. */
export const MAX_REQUEST_ID_LENGTH = 100;

/**
 * Collects the bad fields of a command so the caller gets all of them in one
 * INVALID_ARGUMENT instead of fixing them one round trip at a time. Field
 * names are the proto's snake_case names, since clients see them.
 */

export interface Length {
  min: number;
  max: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_EMAIL = 254; // RFC 5321 path limit
const MAX_EMAIL_LOCAL = 64;
/**
 * A character a reader can see: not white space, not a control or format
 * character (U+200B, U+200C, U+200D, U+2060, U+FEFF, U+00AD...), not one of
 * the other default-ignorable code points (e.g. U+3164 HANGUL FILLER), not a
 * combining mark (it shows only on a base character), not U+2800 BRAILLE
 * PATTERN BLANK. A required name made only of such characters looks empty.
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** A real calendar date "YYYY-MM-DD" (no 2025-02-30), in a plausible HR range. */
export function isIsoDate(value: string): boolean {
  const [, y = "", m = "", d = ""] = ISO_DATE.exec(value) ?? [];
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one; UTC avoids DST shifts.
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Counts code points (what users call characters) and spots characters that
 * cannot be stored or displayed safely: C0 controls, DEL and lone surrogates
 * (which UTF-8 encoders silently turn into U+FFFD).
 */
function scanText(value: string): { length: number; problem: string | null } {
  let length = 0;
  for (let i = 0; i < value.length; i++, length++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return { length, problem: "must not contain control characters" };
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return { length, problem: "must be valid Unicode" };
      i++; // a surrogate pair is one character
    }
  }
  return { length, problem: null };
}

function isPlausibleEmail(value: string): boolean {
  if (/\s/.test(value)) return false;
  const parts = value.split("@");
  if (parts.length !== 2) return false;
  const [local = "", domain = ""] = parts;
  if (local.length === 0 || local.length > MAX_EMAIL_LOCAL) return false;
  // "a@b", "a@.b" and "a@b." are typos, not addresses.
  const labels = domain.split(".");
  return labels.length >= 2 && labels.every((label) => label.length > 0);
}

/** The most ids a List filter takes (`manager_ids`, `employee_ids`): one page of a BatchGet. */
export const MAX_FILTER_IDS = 200;

/**
 * A List filter of ids: undefined when empty (no filter), otherwise lower
 * case, without duplicates and sorted, so a page token issued for it does not
 * depend on the order the client sent them in. INVALID_ARGUMENT past
 * MAX_FILTER_IDS ids or for a malformed one.
 */
export function idsFilter(field: string, values: readonly string[]): string[] | undefined {
  const checks = new FieldChecks();
  checks.uuids(field, values, MAX_FILTER_IDS);
  checks.throwIfAny();
  return values.length === 0 ? undefined : [...new Set(values.map((v) => v.toLowerCase()))].sort();
}

export class FieldChecks {
  private readonly found: FieldViolation[] = [];

  get violations(): readonly FieldViolation[] {
    return this.found;
  }

  /** Records a violation unless `ok`; only the first one per field is kept, the most basic. */
  check(field: string, ok: boolean, description: string): boolean {
    if (!ok && !this.found.some((v) => v.field === field)) this.found.push({ field, description });
    return ok;
  }

  /**
   * A client-chosen request id: 1 to MAX_REQUEST_ID_LENGTH code points, not
   * blank, storable. The one rule for every command, whether a data service
   * stores the id or an application derives its own ids from it.
   */
  requestId(field: string, value: string): boolean {
    const sized = value.trim() !== "" && [...value].length <= MAX_REQUEST_ID_LENGTH;
    return (
      this.check(field, sized, `required, 1 to ${MAX_REQUEST_ID_LENGTH} characters`) && this.storable(field, value)
    );
  }

  /**
   * Text PostgreSQL can store: no NUL (a lone surrogate cannot arrive over the
   * wire, protobuf's UTF-8 turns it into U+FFFD). For values that are matched,
   * not kept (a typed login name, a request id), where `text`'s stricter rules
   * would say more than the caller needs to know.
   */
  storable(field: string, value: string): boolean {
    return this.check(field, !value.includes("\u0000"), "must not contain NUL characters");
  }

  /**
   * Expects an already trimmed value; `min` and `max` count code points. A
   * required text (`min` of 1 or more) needs at least one visible character.
   */
  text(field: string, value: string, { min, max }: Length): boolean {
    // Each code point is at most two UTF-16 units: skip scanning absurdly long input.
    if (value.length > 2 * max) return this.check(field, false, `must be at most ${max} characters`);
    const { length, problem } = scanText(value);
    if (problem !== null) return this.check(field, false, problem);
    if (min >= 1 && !VISIBLE.test(value)) {
      return this.check(field, false, "must contain a visible character, not only spaces or invisible characters");
    }
    if (length < min) return this.check(field, false, `must be at least ${min} characters`);
    return this.check(field, length <= max, `must be at most ${max} characters`);
  }

  /** Expects an already normalized (trimmed, lower-cased) value. */
  email(field: string, value: string): boolean {
    if (value === "") return this.check(field, false, "is required");
    if (!this.text(field, value, { min: 1, max: MAX_EMAIL })) return false;
    return this.check(field, isPlausibleEmail(value), "must be an email address such as name@example.com");
  }

  isoDate(field: string, value: string): boolean {
    if (value === "") return this.check(field, false, "is required");
    return this.check(field, isIsoDate(value), 'must be a calendar date "YYYY-MM-DD" between 1900 and 2999');
  }

  /** Either case is accepted (RFC 9562); callers store ids lower-cased. */
  uuid(field: string, value: string): boolean {
    if (value === "") return this.check(field, false, "is required");
    return this.check(field, UUID.test(value), "must be a UUID");
  }

  /** "" means "none", as proto3 strings cannot be absent. */
  optionalUuid(field: string, value: string): boolean {
    return value === "" || this.uuid(field, value);
  }

  /** A list of at most `max` UUIDs (a filter's ids, say); an empty list passes. */
  uuids(field: string, values: readonly string[], max: number): boolean {
    if (!this.check(field, values.length <= max, `must hold at most ${max} ids`)) return false;
    return values.every((value, i) => this.uuid(`${field}[${i}]`, value));
  }

  /** Throws INVALID_ARGUMENT naming every bad field, with `reason` (a generated ErrorReason value) or INVALID_ARGUMENT. */
  throwIfAny<R extends string>(reason?: R & ContractReason<R>): void {
    if (this.found.length > 0) throw invalidArgument([...this.found], reason);
  }
}
