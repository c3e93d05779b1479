import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { openPeopleDatabase } from "../../services/people/people-database.js";
import { startPeopleServer } from "../../services/people/people-server.js";
import { testConfig } from "./callers.js";
import { startServiceUnderTest, testClient } from "./service-under-test.js";

/** A real people server on a free port over a fresh database, with a client per context. */
export async function startPeople(config: RuntimeConfig = testConfig) {
  const service = await startServiceUnderTest("people", openPeopleDatabase, startPeopleServer, config);
  return {
    ...service,
    departments: testClient(DepartmentServiceDefinition, service.channel),
    employees: testClient(EmployeeServiceDefinition, service.channel),
  };
}

export type PeopleUnderTest = Awaited<ReturnType<typeof startPeople>>;
