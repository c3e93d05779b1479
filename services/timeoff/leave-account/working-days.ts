/**
 * Calendar arithmetic on ISO dates ("YYYY-MM-DD"), in UTC so that no time
 * zone or daylight-saving shift can move a day. Working days are Monday to
 * Friday: there is no holiday calendar yet, so a public holiday on a weekday
 * counts as a working day (a tenant's holidays would be a later input here).
 */

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a valid ISO date. */
function dayNumber(isoDate: string): number {
  return Date.parse(`${isoDate}T00:00:00Z`) / DAY_MS;
}

/** The calendar year of a valid ISO date. */
export function yearOf(isoDate: string): number {
  return Number(isoDate.slice(0, 4));
}

/** Monday to Friday, from `start` to `end` inclusive; 0 when `end` is before `start`. */
export function workingDaysBetween(start: string, end: string): number {
  const first = dayNumber(start);
  const last = dayNumber(end);
  let count = 0;
  // At most a year apart in practice (a request lies in one account year): a loop is clearest.
  for (let day = first; day <= last; day++) {
    // 1970-01-01 was a Thursday: day 0 → weekday 4 (0 = Sunday ... 6 = Saturday).
    const weekday = (((day + 4) % 7) + 7) % 7;
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return count;
}

/** True when the ranges [aStart, aEnd] and [bStart, bEnd] share a day (ISO dates compare as strings). */
export function rangesOverlap(aStart: string, aEnd: string, bStart: string, bEnd: string): boolean {
  return aStart <= bEnd && bStart <= aEnd;
}
