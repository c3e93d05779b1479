import type { TsProtoServiceDefinition } from "nice-grpc";
import { type ServerMiddlewareCall, Status } from "nice-grpc-common";
import { ErrorInfo, RichServerError } from "nice-grpc-error-details";
import type { Logger } from "pino";
import { ErrorReason as AuthReason, errorReasonToJSON } from "../../generated/proto/hr/auth/v1/authorization.js";
import type { AccessScope, AuthorizationRule, AuthorizationRules } from "../auth/authorization-rules.js";
import { scopeOf } from "../auth/authorization-rules.js";
import type { AuthenticatedContext } from "./call-scope.js";

/**
 * What the authorization middleware tells a handler about the caller's
 * reach on this method. Whether a resource is the caller's own often needs
 * the resource (the employee of a leave account), so the handler decides it
 * and calls `check` before it acts.
 */
export interface Access {
  /** "any": every resource of the tenant; "own": the caller's own resources only. */
  readonly scope: AccessScope;
  /** Whether `check` can refuse: the scope is "own", or the rule forbids the caller's own resources. */
  readonly needsOwner: boolean;
  /** Throws PERMISSION_DENIED unless the rule allows the caller on a resource it owns (true) or not (false). */
  check(ownedByCaller: boolean): void;
}

/**
 * Enforces the authorization rule the contract declares on each method,
 * after authentication and before the handler: a caller holding none of the
 * allowed roles is refused PERMISSION_DENIED (reason ROLE_REQUIRED), and a
 * method without a rule refuses every call (fail closed). Refusals are
 * ServerErrors, which the error mapping passes through; their reasons are
 * declared in hr.auth.v1.ErrorReason.
 */
export function authorization(rules: AuthorizationRules, domain: string) {
  return async function* authorizationMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, { access: Access }>,
    context: AuthenticatedContext,
  ) {
    const rule = rules.methods.get(call.method.path);
    if (rule === undefined) {
      throw authorizationRefusal(
        domain,
        AuthReason.NO_AUTHORIZATION_RULE,
        "this method declares no authorization rule",
      );
    }
    const scope = scopeOf(rule, context.caller.roles);
    if (scope === undefined)
      throw authorizationRefusal(domain, AuthReason.ROLE_REQUIRED, "the caller's roles may not call this method");
    return yield* call.next(call.request, { ...context, access: accessOf(rule, scope, domain) });
  };
}

function accessOf(rule: AuthorizationRule, scope: AccessScope, domain: string): Access {
  return {
    scope,
    needsOwner: scope === "own" || rule.denyOwn,
    check(ownedByCaller) {
      if (scope === "own" && !ownedByCaller) {
        throw authorizationRefusal(
          domain,
          AuthReason.NOT_OWN_RESOURCE,
          "the caller may call this method on its own resources only",
        );
      }
      if (rule.denyOwn && ownedByCaller) {
        throw authorizationRefusal(
          domain,
          AuthReason.OWN_RESOURCE_FORBIDDEN,
          "nobody may call this method on their own resources",
        );
      }
    },
  };
}

/** A value of hr.auth.v1.ErrorReason that is sent: a declared refusal, not the enum's zero or ts-proto's UNRECOGNIZED. */
export type AuthorizationReason = Exclude<AuthReason, AuthReason.ERROR_REASON_UNSPECIFIED | AuthReason.UNRECOGNIZED>;

/**
 * PERMISSION_DENIED with ErrorInfo naming `reason`. The reason is a value of
 * the generated hr.auth.v1.ErrorReason, so one the contract does not declare
 * does not compile. That enum stays numeric (the file holds the enums the
 * authorization option encodes, which generate.sh does not turn into
 * strings), so ErrorInfo carries its declared name, which ts-proto's
 * `errorReasonToJSON` gives.
 */
export function authorizationRefusal(domain: string, reason: AuthorizationReason, message: string): RichServerError {
  return new RichServerError(Status.PERMISSION_DENIED, message, [
    ErrorInfo.fromPartial({ reason: errorReasonToJSON(reason), domain, metadata: {} }),
  ]);
}

/**
 * Refuses to start a server whose wiring and contract disagree on whether a
 * service's methods are public: an open method must be declared open.
 */
export function requirePublicRulesMatch(
  rules: AuthorizationRules,
  service: { public: boolean; definition: TsProtoServiceDefinition },
): void {
  for (const path of methodPaths(service.definition)) {
    const declaredPublic = rules.methods.get(path)?.public ?? false;
    if (declaredPublic !== service.public) {
      throw new Error(`${path}: served ${service.public ? "public" : "authenticated"} but its rule says otherwise`);
    }
  }
}

/** The paths of a generated service definition's methods, as calls name them. */
export function methodPaths(definition: TsProtoServiceDefinition): string[] {
  return Object.values(definition.methods).map((method) => `/${definition.fullName}/${method.name}`);
}

/** Logs, once at start-up, the served methods that declare no rule: they refuse every call. */
export function logMethodsWithoutRule(rules: AuthorizationRules, paths: readonly string[], logger: Logger): void {
  const missing = paths.filter((path) => rules.methods.get(path) === undefined);
  if (missing.length > 0) {
    logger.error({ methods: missing }, "methods without an authorization rule refuse every call");
  }
}
