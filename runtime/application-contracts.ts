/**
 * The proto packages (proto/hr/<name>/, any version) that are application
 * services' contracts rather than data contexts. The one list the code reads:
 * the gateway exposes exactly these services at the edge, so a data service
 * is never reachable from outside. `.dependency-cruiser.cjs` keeps the same
 * names for its import rules (it is CommonJS and cannot import this file).
 * Add an app's package here when the app gets a contract.
 */
export const APPLICATION_CONTRACTS: readonly string[] = ["directory", "session", "selfservice", "onboarding"];

/** Whether a proto package ("hr.selfservice.v1") is an application service's contract. */
export function isApplicationPackage(protoPackage: string): boolean {
  const match = /^hr\.([a-z0-9_]+)\.v\d+[a-z0-9]*$/.exec(protoPackage);
  return match !== null && APPLICATION_CONTRACTS.includes(match[1] ?? "");
}
