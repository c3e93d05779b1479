import type { Channel } from "nice-grpc";
import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { ClientPolicy } from "../../runtime/client/client-policy.js";
import { createServiceClient } from "../../runtime/client/service-client.js";

/** The data-service clients offboarding composes: logins (identity) and leave accounts (timeoff). */
export function offboardingClients(channels: { identity: Channel; timeoff: Channel }, policy: ClientPolicy) {
  return {
    accounts: createServiceClient(AccountServiceDefinition, channels.identity, policy),
    leaveAccounts: createServiceClient(LeaveAccountServiceDefinition, channels.timeoff, policy),
  };
}

export type OffboardingClients = ReturnType<typeof offboardingClients>;
