import type { JsonValue } from "@bufbuild/protobuf";
import { isScrubbed } from "../../../../runtime/privacy/privacy-marks.js";

/** Where a replayed answer differs from the captured one: a JSON path, and both values (absent: undefined). */
export interface Difference {
  path: string;
  captured: JsonValue | undefined;
  now: JsonValue | undefined;
}

/**
 * Every difference between two answers in protobuf JSON, by path
 * ("employee.jobTitle", "leaveAccounts[1].balance"). Both sides are
 * scrubbed by the same marks, so a personal field compares marker to
 * marker: whether it had a value, never what. Keys named in `ignore` are
 * skipped at any depth (`--ignore updateTime`), for fields the person
 * replaying knows will differ.
 */
export function differences(
  captured: JsonValue | undefined,
  now: JsonValue | undefined,
  ignore: ReadonlySet<string> = new Set(),
  path = "",
): Difference[] {
  if (isObject(captured) && isObject(now)) {
    const keys = [...new Set([...Object.keys(captured), ...Object.keys(now)])].filter((key) => !ignore.has(key));
    return keys.flatMap((key) => differences(captured[key], now[key], ignore, path ? `${path}.${key}` : key));
  }
  if (Array.isArray(captured) && Array.isArray(now)) {
    const length = Math.max(captured.length, now.length);
    return Array.from({ length }, (_, i) => differences(captured[i], now[i], ignore, `${path}[${i}]`)).flat();
  }
  if (captured === now || (isScrubbed(captured) && isScrubbed(now))) return [];
  return [{ path: path || "(answer)", captured, now }];
}

function isObject(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
