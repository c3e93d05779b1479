import type { Channel } from "nice-grpc";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { NotificationServiceDefinition } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { ClientPolicy } from "../../runtime/client/client-policy.js";
import { createServiceClient } from "../../runtime/client/service-client.js";

/**
 * The data-service clients self-service composes: employees (people), leave
 * accounts (timeoff), notifications (inbox); live watches of notifications
 * on a channel of their own (`inboxStreams`, see openChannel).
 */
export function dataClients(
  channels: { people: Channel; timeoff: Channel; inbox: Channel; inboxStreams: Channel },
  policy: ClientPolicy,
) {
  return {
    employees: createServiceClient(EmployeeServiceDefinition, channels.people, policy),
    leaveAccounts: createServiceClient(LeaveAccountServiceDefinition, channels.timeoff, policy),
    notifications: createServiceClient(NotificationServiceDefinition, channels.inbox, policy),
    notificationWatches: createServiceClient(NotificationServiceDefinition, channels.inboxStreams, policy),
  };
}

export type DataClients = ReturnType<typeof dataClients>;
