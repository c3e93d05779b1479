import type { Channel } from "nice-grpc";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { type ClientPolicy, createServiceClient } from "../../runtime/client/service-client.js";

/** The data-service clients self-service composes: employees (people) and leave accounts (timeoff). */
export function dataClients(channels: { people: Channel; timeoff: Channel }, policy: ClientPolicy) {
  return {
    employees: createServiceClient(EmployeeServiceDefinition, channels.people, policy),
    leaveAccounts: createServiceClient(LeaveAccountServiceDefinition, channels.timeoff, policy),
  };
}

export type DataClients = ReturnType<typeof dataClients>;
