import { randomUUID } from "node:crypto";
import { openDepartment } from "../contexts/employee.fixtures.js";
import { as, newTenant } from "./callers.js";
import type { PeopleUnderTest } from "./people-under-test.js";

/**
 * A tenant of its own on a people server under test, and hires in it: the
 * simplest source of events (each hire records one EmployeeHired).
 */
export async function hiringTenant(people: PeopleUnderTest) {
  const tenantId = newTenant();
  const hr = await as(tenantId);
  const departmentId = await openDepartment(people, tenantId);
  return {
    tenantId,
    /** Hires one person; answers the employee (id and etag). */
    async hire(givenName = "Ada") {
      const { employee } = await people.employees.hireEmployee(
        {
          requestId: randomUUID(),
          givenName,
          familyName: "Lovelace",
          workEmail: `${givenName.toLowerCase()}.${randomUUID().slice(0, 8)}@example.com`,
          jobTitle: "",
          departmentId,
          managerId: "",
          hireDate: "2026-01-05",
        },
        hr,
      );
      if (employee === undefined) throw new Error("the hire answered no employee");
      return employee;
    },
    async terminate(employee: { id: string; etag: string }) {
      const request = { requestId: randomUUID(), id: employee.id, etag: employee.etag, effectiveDate: "2026-03-31" };
      return (await people.employees.terminateEmployee(request, hr)).employee;
    },
  };
}
