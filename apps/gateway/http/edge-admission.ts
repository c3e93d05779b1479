import type { ServerResponse } from "node:http";
import { type EdgeRateLimits, type LimitState, rateLimitHeaders, tighter } from "../limits/rate-limits.js";
import { addressKey } from "./client-address.js";
import type { EdgeStep } from "./http-edge.js";
import type { EdgeRequest } from "./request-identity.js";

/**
 * The edge's two counting steps (http-edge.ts runs them before Connect reads
 * a body): `byAddress` first of all, before the body is bounded or read and
 * before the token is verified, so that a flood of undecodable or
 * unauthenticated calls from one address is refused 429 like any other;
 * `byCaller` once the token is verified (route-resolution.ts), against the
 * signed-in user and its tenant, or the address again for a call without a
 * valid token. A path no route serves is counted by its address only.
 * Each sets the RateLimit headers of the tightest limit so far.
 */
export function edgeAdmission(limits: EdgeRateLimits): { byAddress: EdgeStep; byCaller: EdgeStep } {
  return {
    async byAddress(_request, response, edge) {
      told(response, edge, await limits.admitAddress(edge.clientAddress));
    },
    async byCaller(_request, response, edge) {
      const { credentials } = edge;
      if (credentials === undefined) return;
      const caller = credentials.kind === "verified" ? credentials.caller : undefined;
      const counted = caller
        ? { tenantId: caller.tenantId, callerKey: `user/${caller.tenantId}/${caller.userId}` }
        : { tenantId: undefined, callerKey: `address/${addressKey(edge.clientAddress)}` };
      told(response, edge, await limits.admit(counted));
    },
  };
}

function told(response: ServerResponse, edge: EdgeRequest, state: LimitState): void {
  edge.limit = tighter(edge.limit, state);
  for (const [name, value] of Object.entries(rateLimitHeaders(edge.limit))) response.setHeader(name, value);
}
