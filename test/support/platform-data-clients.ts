import type { Channel } from "nice-grpc";
import { ApplicationServiceDefinition } from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { NotificationServiceDefinition } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { OnboardingCaseServiceDefinition } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { JobOpeningServiceDefinition } from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import type { PlatformUnderTest } from "./platform-under-test.js";
import { testClient } from "./service-under-test.js";

/**
 * Typed clients of a running platform's data services, straight to their
 * (first replicas') ports: the edge does not expose them. Each channel takes
 * connections of its own, since grpc-js shares them between channels and
 * one to a killed server backs off; they are pushed to `channels` for the
 * caller to close.
 */
export function platformDataClients(ports: PlatformUnderTest["ports"], channels: Channel[]) {
  const client = <D extends Parameters<typeof testClient>[0]>(definition: D, port: number) => {
    const channel = openChannel(`127.0.0.1:${port}`, { ownConnections: true });
    channels.push(channel);
    return testClient(definition, channel);
  };
  return {
    departments: client(DepartmentServiceDefinition, ports.people),
    employees: client(EmployeeServiceDefinition, ports.people),
    accounts: client(AccountServiceDefinition, ports.identity),
    leaveAccounts: client(LeaveAccountServiceDefinition, ports.timeoff),
    jobOpenings: client(JobOpeningServiceDefinition, ports.talent),
    applications: client(ApplicationServiceDefinition, ports.talent),
    notifications: client(NotificationServiceDefinition, ports.inbox),
    cases: client(OnboardingCaseServiceDefinition, ports.cases),
  };
}
