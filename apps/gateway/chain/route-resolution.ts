import type { IncomingMessage, ServerResponse } from "node:http";
import type { EdgeRequest } from "../http/request-identity.js";
import type { ApiVersions } from "../versions/api-versions.js";
import type { VersionRouting } from "../versions/versions-file.js";
import type { EdgeAuthentication } from "./edge-authentication.js";

/** The answer header naming the version that served a call ("v2"). */
export const API_VERSION_HEADER = "x-api-version";

/**
 * What the edge settles before Connect routes a request. The token is
 * verified here, once: its outcome goes on the EdgeRequest, where the route
 * handler reads it (edge-routes.ts), because the tenant must be known to
 * choose a version. Then a version-less path ("/hr.directory.DirectoryService/GetTeam")
 * is rewritten to the version its family's routing chooses for that tenant
 * ("/hr.directory.v2.DirectoryService/GetTeam"); a versioned path is served
 * as asked. A path that names no route is left alone, and its token
 * unverified: Connect answers it 404. Nothing here knows any service.
 */
export function routeResolution(versions: ApiVersions, routing: VersionRouting, authentication: EdgeAuthentication) {
  return async function resolveRoute(request: IncomingMessage, response: ServerResponse, edge: EdgeRequest) {
    const url = request.url ?? "";
    const queryAt = url.indexOf("?");
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    const named = versions.route(path);
    if (named === undefined) return;
    edge.credentials = await authentication.present(request.headers.authorization);
    edge.tenantId = edge.credentials.kind === "verified" ? edge.credentials.caller.tenantId : undefined;
    let version = named.kind === "versioned" ? named.version : undefined;
    if (named.kind === "version-less") {
      version = routing.versionFor(named.family, edge.tenantId);
      const target = version === undefined ? undefined : named.pathOf.get(version);
      // The version chosen lacks this method (or the family has no default): 404, as for any unknown method.
      if (target === undefined) return;
      request.url = queryAt < 0 ? target : target + url.slice(queryAt);
    }
    edge.apiVersion = version;
    if (version !== undefined) response.setHeader(API_VERSION_HEADER, version);
  };
}
