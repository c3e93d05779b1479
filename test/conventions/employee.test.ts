import { randomUUID } from "node:crypto";
import {
  type Employee,
  EmployeeStatus,
  type HireEmployeeRequest,
  type ListEmployeesRequest,
} from "../../generated/proto/hr/employee/v1/employee_service.js";
import { placement } from "../contexts/employee.fixtures.js";
import { startPeople } from "../support/people-under-test.js";
import { type ContextAdapter, required } from "./adapter.js";
import { describeConventions } from "./suite.js";

// The conventions (tenancy, request ids, etags, paging) in the employee context.
// Run alone: npx vitest run test/conventions/employee.test.ts

// Stand-ins for departments of each caller's tenant (see ../contexts/employee.fixtures.ts).
const ENGINEERING = randomUUID();
const SALES = randomUUID();
/** Where the variants of TransferEmployee move an employee. */
const ELSEWHERE = [randomUUID(), randomUUID(), randomUUID()];
type Filter = Partial<ListEmployeesRequest>;

const employees: ContextAdapter<Employee, HireEmployeeRequest, Filter> = {
  context: "employee",
  noun: "employee",
  async start() {
    const people = await startPeople();
    const client = people.employees;
    const departmentOf = placement(people, [ENGINEERING, SALES, ...ELSEWHERE]);
    return {
      field: "employee",
      notFoundReason: "EMPLOYEE_NOT_FOUND",
      createRequest: () => ({
        requestId: randomUUID(),
        givenName: "Ada",
        familyName: "Lovelace",
        workEmail: `ada.${randomUUID().slice(0, 8)}@example.com`,
        jobTitle: "Engineer",
        departmentId: ENGINEERING,
        managerId: "",
        hireDate: "2025-03-01",
      }),
      otherPayloads: (request) => [
        { ...request, givenName: "Someone else" },
        { ...request, hireDate: "2025-03-02" },
      ],
      create: async (request, caller) =>
        client.hireEmployee({ ...request, departmentId: await departmentOf(caller, request.departmentId) }, caller),
      get: async (id, caller) => (await client.getEmployee({ id }, caller)).employee!,
      batchGet: async (ids, caller) => {
        const batch = await client.batchGetEmployees({ ids }, caller);
        return { found: batch.employees, notFoundIds: batch.notFoundIds };
      },
      list: async (caller, page, filter = {}) => {
        const departmentId = await departmentOf(caller, filter.departmentId ?? "");
        const { employees, nextPageToken } = await client.listEmployees({ ...page, ...filter, departmentId }, caller);
        return { items: employees, nextPageToken };
      },
      filter: { departmentId: ENGINEERING },
      otherFilters: [
        { departmentId: SALES },
        { departmentId: ENGINEERING, managerId: randomUUID() },
        { departmentId: ENGINEERING, status: EmployeeStatus.EMPLOYEE_STATUS_PENDING },
      ],
      change: required("TransferEmployee", async (e, caller, key, variant = 0) => {
        const departmentId = await departmentOf(caller, ELSEWHERE[variant] ?? SALES);
        return client.transferEmployee({ ...key, id: e.id, departmentId, managerId: "" }, caller);
      }),
      commands: [
        required("UpdateEmployee", (e, caller, { requestId, etag }) =>
          client.updateEmployee(
            { requestId, employee: { ...e, etag, jobTitle: "Lead" }, updateMask: ["job_title"] },
            caller,
          ),
        ),
        required("ActivateEmployee", (e, caller, key) => client.activateEmployee({ ...key, id: e.id }, caller)),
        required("TerminateEmployee", (e, caller, key) =>
          client.terminateEmployee({ ...key, id: e.id, effectiveDate: "2025-12-31" }, caller),
        ),
      ],
      stop: () => people.stop(),
    };
  },
};

describeConventions(employees);
