import type { ServerResponse } from "node:http";
import { type EdgeRateLimits, type LimitState, rateLimitHeaders, tighter } from "../limits/rate-limits.js";
import type { EdgeStep } from "./http-edge.js";
import type { EdgeRequest } from "./request-identity.js";

/**
 * The edge's first count (http-edge.ts runs it before anything else is done
 * for a request): against the client's address, before the body is bounded
 * or read and before the token is verified, so that a flood of undecodable
 * or unauthenticated calls from one address is refused 429 like any other.
 * The caller and its tenant are counted later, in the chain
 * (chain/caller-limits.ts).
 */
export function addressAdmission(limits: EdgeRateLimits): EdgeStep {
  return async (_request, response, edge) => {
    told(response, edge, await limits.admitAddress(edge.clientAddress));
  };
}

/** Keeps the tightest limit so far on the request and sets its RateLimit headers on the answer. */
export function told(response: ServerResponse, edge: EdgeRequest, state: LimitState): void {
  edge.limit = tighter(edge.limit, state);
  for (const [name, value] of Object.entries(rateLimitHeaders(edge.limit))) response.setHeader(name, value);
}
