/**
 * The current time as the ISO 8601 timestamp domain commands take. Handlers
 * read it here, once per command, and pass it in: the domain never reads a clock.
 */
export function nowIso(): string {
  return new Date().toISOString();
}
