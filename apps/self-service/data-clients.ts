import type { Channel } from "nice-grpc";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { NotificationServiceDefinition } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { type ClientPolicy, createServiceClient } from "../../runtime/client/service-client.js";

/** The data-service clients self-service composes: employees (people), leave accounts (timeoff), notifications (inbox). */
export function dataClients(channels: { people: Channel; timeoff: Channel; inbox: Channel }, policy: ClientPolicy) {
  return {
    employees: createServiceClient(EmployeeServiceDefinition, channels.people, policy),
    leaveAccounts: createServiceClient(LeaveAccountServiceDefinition, channels.timeoff, policy),
    notifications: createServiceClient(NotificationServiceDefinition, channels.inbox, policy),
  };
}

export type DataClients = ReturnType<typeof dataClients>;
