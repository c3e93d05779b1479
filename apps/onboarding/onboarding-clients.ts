import type { Channel } from "nice-grpc";
import { ApplicationServiceDefinition } from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { NotificationServiceDefinition } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { OnboardingCaseServiceDefinition } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { JobOpeningServiceDefinition } from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import type { ClientPolicy } from "../../runtime/client/client-policy.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import { type OffboardingClients, offboardingClients } from "./offboarding-clients.js";

/** Where each data service the onboarding app calls is. */
export interface OnboardingTargets {
  people: string;
  identity: string;
  timeoff: string;
  talent: string;
  cases: string;
  inbox: string;
}

/** The data-service clients the onboarding app composes, over one channel per service. */
export function onboardingClients(targets: OnboardingTargets, policy: ClientPolicy) {
  const channels = Object.fromEntries(
    Object.entries(targets).map(([name, target]) => [name, openChannel(target, { balancing: policy.balancing })]),
  ) as Record<keyof OnboardingTargets, Channel>;
  const offboarding: OffboardingClients = offboardingClients(channels, policy);
  return {
    ...offboarding,
    employees: createServiceClient(EmployeeServiceDefinition, channels.people, policy),
    applications: createServiceClient(ApplicationServiceDefinition, channels.talent, policy),
    jobOpenings: createServiceClient(JobOpeningServiceDefinition, channels.talent, policy),
    cases: createServiceClient(OnboardingCaseServiceDefinition, channels.cases, policy),
    notifications: createServiceClient(NotificationServiceDefinition, channels.inbox, policy),
    close(): void {
      for (const channel of Object.values(channels)) channel.close();
    },
  };
}

export type OnboardingClients = ReturnType<typeof onboardingClients>;
