import type { DepartmentCard, PersonCard } from "../../generated/proto/hr/directory/v1/directory_service.js";
import type { Employee } from "../../generated/proto/hr/employee/v1/employee_service.js";
import type { Department } from "../../generated/proto/hr/organization/v1/department_service.js";

/** How the directory shows data-service records: only what a colleague may see. */
export function departmentCard(d: Department): DepartmentCard {
  return { id: d.id, name: d.name, code: d.code };
}

export function personCard(e: Employee): PersonCard {
  return {
    id: e.id,
    displayName: `${e.givenName} ${e.familyName}`,
    jobTitle: e.jobTitle,
    workEmail: e.workEmail,
  };
}
