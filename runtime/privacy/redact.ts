import { pino } from "pino";
import { SCRUBBED, type Sensitivity } from "./privacy-marks.js";

/** Values of marked fields a text must not quote (scrub.ts, `personalValues`). */
export type PersonalValues = readonly { value: string; mark: Sensitivity }[];

/**
 * `text` with every occurrence of a personal value replaced by its marker,
 * ignoring case: the domain stores emails and login names lower-cased, so a
 * message may quote them in another case than the request had them.
 */
export function redactText(text: string, values: PersonalValues): string {
  if (values.length === 0) return text;
  const byValue = new Map(values.map(({ value, mark }) => [value.toLowerCase(), mark]));
  // Longest first, so a value containing another is replaced whole.
  const alternatives = [...byValue.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const pattern = new RegExp(alternatives.join("|"), "gi");
  return text.replace(pattern, (found) => SCRUBBED[byValue.get(found.toLowerCase()) ?? "pii"]);
}

/**
 * An error as a log line may hold it: pino's own error serializer (type,
 * message and stack with their causes, the error's own properties), with
 * every string redacted of `values`, and without the properties a database
 * driver fills with stored data: PostgreSQL's DETAIL quotes the key values
 * of a broken constraint and the whole failing row, which may hold a
 * person's data this call never carried, so it cannot be redacted by value.
 */
export function loggableError(error: unknown, values: PersonalValues): unknown {
  return redactDeep(pino.stdSerializers.err(error as Error), values, QUOTES_ROWS, 0);
}

/** A copy of a JSON-like value with every string redacted of `values`. */
export function redactStrings<T>(value: T, values: PersonalValues): T {
  return redactDeep(value, values, new Set(), 0) as T;
}

/** Properties that quote stored rows (PostgreSQL's DETAIL, as pg and Prisma's driver adapter pass it on). */
const QUOTES_ROWS: ReadonlySet<string> = new Set(["detail"]);
const MAX_DEPTH = 8;

function redactDeep(value: unknown, values: PersonalValues, left: ReadonlySet<string>, depth: number): unknown {
  if (typeof value === "string") return redactText(value, values);
  if (typeof value !== "object" || value === null) return value;
  if (depth > MAX_DEPTH) return "[too deep]";
  if (Array.isArray(value)) return value.map((element) => redactDeep(element, values, left, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    if (left.has(key)) continue;
    copy[key] = redactDeep((value as Record<string, unknown>)[key], values, left, depth + 1);
  }
  return copy;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
