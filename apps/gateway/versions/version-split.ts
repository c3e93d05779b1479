import { createHash } from "node:crypto";

/** How one family's version-less calls are split between its stable version and a candidate. */
export interface VersionSplit {
  stable: string;
  /** The new version being released gradually; none: every call goes to `stable`. */
  candidate?: string;
  /** Share of tenants sent to the candidate, 0 to 100 (steps of 0.01). */
  candidatePercent: number;
  /** Tenants always sent to the candidate (early adopters, the vendor's own tenant). */
  candidateTenants: ReadonlySet<string>;
}

/** Buckets per hundred percent: shares down to 0.01 % are honoured. */
const BUCKETS = 10_000;

/**
 * The version one tenant's call is served by. Sticky: a tenant's bucket is
 * a hash of the family, the candidate and the tenant, so every gateway
 * replica, every restart and every call of that tenant agree, and raising
 * the share only adds tenants (none flips back). The candidate is in the
 * hash so that each release picks its own first tenants instead of always
 * the same ones. A call without a tenant (anonymous sign-in) gets the stable version.
 */
export function versionFor(family: string, split: VersionSplit, tenantId: string | undefined): string {
  const { candidate } = split;
  if (candidate === undefined || tenantId === undefined) return split.stable;
  if (split.candidateTenants.has(tenantId)) return candidate;
  return bucketOf(family, candidate, tenantId) < Math.round(split.candidatePercent * 100) ? candidate : split.stable;
}

/** A tenant's place, 0 to 9,999, in the release of `candidate` of `family`. */
export function bucketOf(family: string, candidate: string, tenantId: string): number {
  const digest = createHash("sha256").update(`${family}\n${candidate}\n${tenantId}`).digest();
  return digest.readUInt32BE(0) % BUCKETS;
}
