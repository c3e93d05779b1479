import { randomUUID } from "node:crypto";
import type { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import type { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import type { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import type { ServiceClient } from "../../runtime/client/service-client.js";
import type { Caller } from "./callers.js";

// How the gateway's tests set up a person, as an HR administrator would
// (straight to the data services, which the edge does not expose): hire them
// into a department of their own, and give them a login to sign in with.

export const PASSWORD = "correct horse battery staple";

/** The people service's clients, from a test server or a running platform. */
export interface PeopleClients {
  departments: ServiceClient<typeof DepartmentServiceDefinition>;
  employees: ServiceClient<typeof EmployeeServiceDefinition>;
}

/** Hires `givenName` Lovelace into a new department of their own (codes are unique per tenant), managed by `managerId` if any; answers the employee id. */
export async function hire(people: PeopleClients, admin: Caller, givenName = "Ada", managerId = ""): Promise<string> {
  const { department } = await people.departments.createDepartment(
    {
      requestId: randomUUID(),
      ...{
        name: `${givenName}'s team`,
        code: `T-${randomUUID().slice(0, 8)}`,
        parentDepartmentId: "",
        headEmployeeId: "",
      },
    },
    admin,
  );
  const { employee } = await people.employees.hireEmployee(
    {
      requestId: randomUUID(),
      ...{
        givenName,
        familyName: "Lovelace",
        workEmail: `${givenName.toLowerCase()}.${randomUUID().slice(0, 8)}@example.com`,
        jobTitle: "",
      },
      ...{ departmentId: department?.id ?? "", managerId, hireDate: "2024-01-15" },
    },
    admin,
  );
  return employee?.id ?? "";
}

/** Gives the employee a login with the employee role and PASSWORD; answers its (unique) login name. */
export async function giveLogin(
  accounts: ServiceClient<typeof AccountServiceDefinition>,
  admin: Caller,
  employeeId: string,
  displayName = "Ada",
): Promise<string> {
  const loginName = `${displayName.toLowerCase()}.${randomUUID().slice(0, 8)}@example.com`;
  await accounts.createAccount(
    {
      requestId: randomUUID(),
      ...{ loginName, employeeId, displayName, initialPassword: PASSWORD, roles: [Role.ROLE_EMPLOYEE] },
    },
    admin,
  );
  return loginName;
}
