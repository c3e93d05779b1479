import type { AuthConfig } from "../../runtime/config.js";
import type { TrafficCapture } from "./capture/traffic-capture.js";
import { authentication, methodAuthorization } from "./chain/authentication.js";
import { callerLimits } from "./chain/caller-limits.js";
import { capturing } from "./chain/capture.js";
import { type CredentialAttempts, failedSignIns } from "./chain/credential-attempts.js";
import { budget } from "./chain/edge-deadlines.js";
import type { EdgeInterceptor } from "./chain/edge-interceptor.js";
import { isolation } from "./chain/isolation.js";
import { routeLookup, versionChoice } from "./chain/version-routing.js";
import type { GatewayConfig } from "./gateway-config.js";
import type { EdgeRateLimits } from "./limits/rate-limits.js";
import type { ApiVersions } from "./versions/api-versions.js";
import type { VersionRouting } from "./versions/versions-file.js";

/** What the steps are built from: each takes its own slice. */
export interface ChainParts {
  versions: ApiVersions;
  routing: VersionRouting;
  auth: AuthConfig;
  limits: EdgeRateLimits;
  capture: TrafficCapture | undefined;
  deadlines: Pick<GatewayConfig, "deadlineMs" | "methodDeadlines" | "minBudgetMs" | "streamMaxMs">;
  credentials: CredentialAttempts;
}

/**
 * Every per-call step of the edge, in the order a call meets them
 * (chain/edge-interceptor.ts). Before them, in the HTTP server
 * (http/http-edge.ts): the request id and access log, health, CORS, the
 * count per client address, the docs pages and the body's bound. After
 * them: the upstream call (upstream/upstream-call.ts).
 */
export function edgeChain(parts: ChainParts): EdgeInterceptor[] {
  return [
    // Before Connect reads the body (path and headers only), so that a refused call costs no decoding:
    // which method the path names; an unknown one skips every step (404, counted by its address only).
    routeLookup(parts.versions),
    // the token, verified once, here: the tenant chooses the version and is counted next.
    authentication(parts.auth),
    // a version-less path rewritten to its tenant's version, before Connect routes it.
    versionChoice(parts.routing),
    // the caller, then its tenant: before any decoding, so that a flood is refused cheaply.
    callerLimits(parts.limits),

    // Around the decoded call, the first outermost:
    // outermost, so that a sampled line holds the edge's own refusals below too.
    capturing(parts.capture),
    // 401 unless the token suits the method (a public one needs none): the method is known only now.
    methodAuthorization(),
    // the method's deadline, shortened by the client's; 504 at once when too short to be worth sending.
    budget(parts.deadlines),
    // failed sign-ins per address and tenant: a sprayer is refused before it takes an upstream slot.
    failedSignIns(parts.credentials),
    // last: the upstream's bulkhead and breaker hold only calls about to be sent.
    isolation(parts.deadlines.minBudgetMs),
  ];
}
