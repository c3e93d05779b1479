import { etagMismatch } from "./domain-error.js";

/**
 * An etag is the aggregate's version number in quotes, as in HTTP. Clients
 * treat it as opaque; it only has to change whenever the aggregate changes.
 */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Refuses a command made against another version than the current one. */
export function assertEtag(subject: string, currentVersion: number, etag: string): void {
  if (etag !== etagOf(currentVersion)) throw etagMismatch(subject);
}
