import { PrismaPg } from "@prisma/adapter-pg";
import type { Logger } from "pino";
import { PrismaClient } from "../../generated/prisma/people/client.js";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { startDataServer } from "../../runtime/service/data-service.js";
import { peopleService } from "../../services/people/people-service.js";
import { testConfig } from "./callers.js";
import { startServiceUnderTest, testClient } from "./service-under-test.js";

const openRows = (url: string) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) });

/** A real people server on a free port over a fresh database, with a client per context; `logger` gets its logs. */
export async function startPeople(config: RuntimeConfig = testConfig, logger?: Logger) {
  const service = await startServiceUnderTest(
    "people",
    openRows,
    (options) => startDataServer(peopleService, options),
    config,
    logger,
  );
  return {
    ...service,
    departments: testClient(DepartmentServiceDefinition, service.channel),
    employees: testClient(EmployeeServiceDefinition, service.channel),
  };
}

export type PeopleUnderTest = Awaited<ReturnType<typeof startPeople>>;
