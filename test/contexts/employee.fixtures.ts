import { randomUUID } from "node:crypto";
import type { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import type { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import type { ServiceClient } from "../../runtime/client/service-client.js";
import { as, type Caller } from "../support/callers.js";

// Employees are placed in departments of their own tenant that exist and are
// open. Tests name a department by a stand-in id shared by every tenant
// (e.g. ENGINEERING = randomUUID()); `placement` turns it into the tenant's
// real department, created on first use by an HR administrator of that tenant.

export interface PeopleClients {
  departments: ServiceClient<typeof DepartmentServiceDefinition>;
  employees: ServiceClient<typeof EmployeeServiceDefinition>;
}

/** Creates an active top-level department in the caller's tenant (as its administrator); answers its id. */
export async function openDepartment(people: PeopleClients, tenantId: string, name = "Team"): Promise<string> {
  const { department } = await people.departments.createDepartment(
    {
      requestId: randomUUID(),
      name,
      code: `D-${randomUUID().slice(0, 8)}`,
      parentDepartmentId: "",
      headEmployeeId: "",
    },
    await as(tenantId),
  );
  return department?.id ?? "";
}

/**
 * Maps each stand-in id of `standIns` to a real department of the caller's
 * tenant, the same one every time; any other value (a real id, a malformed
 * one, "") passes unchanged, so refusals can still be tested.
 */
export function placement(people: PeopleClients, standIns: readonly string[]) {
  const departments = new Map<string, Promise<string>>();
  return (caller: Caller | undefined, departmentId: string): Promise<string> => {
    if (caller === undefined || !standIns.includes(departmentId)) return Promise.resolve(departmentId);
    const key = `${caller.tenantId}/${departmentId}`;
    let department = departments.get(key);
    if (department === undefined) {
      department = openDepartment(people, caller.tenantId);
      departments.set(key, department);
    }
    return department;
  };
}
