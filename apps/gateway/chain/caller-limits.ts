import { told } from "../http/address-admission.js";
import { addressKey } from "../http/client-address.js";
import type { EdgeRateLimits } from "../limits/rate-limits.js";
import type { EdgeInterceptor } from "./edge-interceptor.js";

/**
 * Before the body, once the token is verified: one call counted against the
 * signed-in user and its tenant, or the client's address again for a call
 * without a valid token; RESOURCE_EXHAUSTED (429) over a limit. A path no
 * route serves was counted by its address only (http/address-admission.ts).
 * Sets the RateLimit headers of the tightest limit so far.
 */
export function callerLimits(limits: EdgeRateLimits): EdgeInterceptor {
  return {
    step: "caller limits",
    async beforeBody({ response, edge }) {
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
