import type { Channel } from "nice-grpc";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import type { ClientPolicy } from "../../runtime/client/client-policy.js";
import { createServiceClient } from "../../runtime/client/service-client.js";

/** The data-service clients the directory composes: both contexts of the people service. */
export function peopleClients(channel: Channel, policy: ClientPolicy) {
  return {
    departments: createServiceClient(DepartmentServiceDefinition, channel, policy),
    employees: createServiceClient(EmployeeServiceDefinition, channel, policy),
  };
}

export type PeopleClients = ReturnType<typeof peopleClients>;
