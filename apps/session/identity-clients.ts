import type { Channel } from "nice-grpc";
import { AccountServiceDefinition, Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { SessionServiceDefinition } from "../../generated/proto/hr/sessionstore/v1/session_service.js";
import type { ClientPolicy } from "../../runtime/client/client-policy.js";
import { createServiceClient } from "../../runtime/client/service-client.js";

/** The data-service clients the session app composes: both contexts of the identity service. */
export function identityClients(channel: Channel, policy: ClientPolicy) {
  return {
    accounts: createServiceClient(AccountServiceDefinition, channel, policy),
    sessions: createServiceClient(SessionServiceDefinition, channel, policy),
  };
}

export type IdentityClients = ReturnType<typeof identityClients>;

/**
 * A role as access tokens name it: the generated enum's value name without
 * its prefix, lower-case (ROLE_HR_ADMIN → "hr_admin"), the convention the
 * contract states for every role. Derived, not listed, so a role added to the
 * contract reaches the tokens without a change here.
 */
function roleNameOf(role: Role): string | undefined {
  const name: string | undefined = Role[role];
  if (name === undefined || role === Role.ROLE_UNSPECIFIED || role === Role.UNRECOGNIZED) return undefined;
  return name.replace(/^ROLE_/, "").toLowerCase();
}

/** An account's roles as access tokens name them ("hr_admin"); a value this app does not know grants nothing. */
export function roleNamesOf(roles: readonly Role[]): string[] {
  return roles.flatMap((role) => roleNameOf(role) ?? []);
}
