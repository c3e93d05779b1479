import type { ApiVersions } from "../versions/api-versions.js";
import type { VersionRouting } from "../versions/versions-file.js";
import type { ArrivingCall, EdgeInterceptor } from "./edge-interceptor.js";

/** The answer header naming the version that served a call ("v2"). */
export const API_VERSION_HEADER = "x-api-version";

/**
 * What the path names: one version's method, or a method of a family whose
 * version the edge chooses. A path that names no route is left alone: the
 * steps after skip it (its token unverified, counted by its address only),
 * and Connect answers it 404. Nothing here knows any service.
 */
export function routeLookup(versions: ApiVersions): EdgeInterceptor {
  return {
    step: "route",
    beforeBody(call) {
      call.route = versions.route(pathOf(call));
    },
  };
}

/**
 * A version-less path ("/hr.directory.DirectoryService/GetTeam") is
 * rewritten to the version its family's routing chooses for the caller's
 * tenant ("/hr.directory.v2.DirectoryService/GetTeam"), so it runs after
 * authentication; a versioned path is served as asked. The version is told
 * in `x-api-version` and the access log.
 */
export function versionChoice(routing: VersionRouting): EdgeInterceptor {
  return {
    step: "version",
    beforeBody(call) {
      const { route, edge, request, response } = call;
      if (route === undefined) return;
      let version = route.kind === "versioned" ? route.version : undefined;
      if (route.kind === "version-less") {
        version = routing.versionFor(route.family, edge.tenantId);
        const target = version === undefined ? undefined : route.pathOf.get(version);
        // The version chosen lacks this method (or the family has no default): 404, as for any unknown method.
        if (target === undefined) return;
        const url = request.url ?? "";
        const queryAt = url.indexOf("?");
        request.url = queryAt < 0 ? target : target + url.slice(queryAt);
      }
      edge.apiVersion = version;
      if (version !== undefined) response.setHeader(API_VERSION_HEADER, version);
    },
  };
}

function pathOf(call: ArrivingCall): string {
  const url = call.request.url ?? "";
  const queryAt = url.indexOf("?");
  return queryAt < 0 ? url : url.slice(0, queryAt);
}
