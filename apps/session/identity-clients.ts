import type { Channel } from "nice-grpc";
import { AccountServiceDefinition, Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { SessionServiceDefinition } from "../../generated/proto/hr/sessionstore/v1/session_service.js";
import { type ClientPolicy, createServiceClient } from "../../runtime/client/service-client.js";

/** The data-service clients the session app composes: both contexts of the identity service. */
export function identityClients(channel: Channel, policy: ClientPolicy) {
  return {
    accounts: createServiceClient(AccountServiceDefinition, channel, policy),
    sessions: createServiceClient(SessionServiceDefinition, channel, policy),
  };
}

export type IdentityClients = ReturnType<typeof identityClients>;

const ROLE_NAMES: Partial<Record<Role, string>> = {
  [Role.ROLE_EMPLOYEE]: "employee",
  [Role.ROLE_MANAGER]: "manager",
  [Role.ROLE_HR_ADMIN]: "hr_admin",
  [Role.ROLE_TENANT_ADMIN]: "tenant_admin",
};

/** An account's roles as access tokens name them ("hr_admin"); a value this app does not know grants nothing. */
export function roleNamesOf(roles: readonly Role[]): string[] {
  return roles.flatMap((role) => ROLE_NAMES[role] ?? []);
}
