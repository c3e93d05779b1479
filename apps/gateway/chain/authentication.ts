import type { AuthConfig } from "../../../runtime/config.js";
import { callerOf, EdgeAuthentication } from "./edge-authentication.js";
import type { EdgeInterceptor } from "./edge-interceptor.js";

/**
 * Before the body: the token of a call to a known route, verified once; its
 * outcome (and tenant) goes on the EdgeRequest for the steps after. A token
 * that fails is not refused yet: the method decides (`methodAuthorization`).
 */
export function authentication(auth: AuthConfig): EdgeInterceptor {
  const tokens = new EdgeAuthentication(auth);
  return {
    step: "authentication",
    async beforeBody({ route, request, edge }) {
      if (route === undefined) return;
      edge.credentials = await tokens.present(request.headers.authorization);
      edge.tenantId = edge.credentials.kind === "verified" ? edge.credentials.caller.tenantId : undefined;
    },
  };
}

/** Around the decoded call: 401 unless the token suits the method (`callerOf`). */
export function methodAuthorization(): EdgeInterceptor {
  return {
    step: "authorization",
    async around(call, next) {
      const { credentials } = call.edge;
      if (credentials === undefined)
        throw new Error("credentials missing: every route is authenticated before Connect");
      callerOf(call.exposed, credentials);
      return next();
    },
  };
}
