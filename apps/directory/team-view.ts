import { type Employee, EmployeeStatus } from "../../generated/proto/hr/employee/v1/employee_service.js";
import type { Department } from "../../generated/proto/hr/organization/v1/department_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import type { AuthenticatedContext } from "../../runtime/server/call-scope.js";
import type { PeopleClients } from "./people-clients.js";

const MAX_MEMBERS = 500;
const MAX_CHILDREN = 200;
const BATCH = 200;

/** A department with its children and its members, each with their manager, as the people service holds them. */
export interface Team {
  department: Department | undefined;
  children: Department[];
  members: { person: Employee; manager: Employee | undefined }[];
}

/**
 * GetTeam: the department, its active child departments and its non-terminated
 * members with their managers. Reads run in parallel; managers outside the team
 * are fetched with BatchGet, not one call each. Answers records, not cards:
 * each version of the contract shows them its way.
 */
export async function teamView(
  people: PeopleClients,
  departmentId: string,
  context: AuthenticatedContext,
): Promise<Team> {
  const call = () => forwardCall(context);
  const [{ department }, children, members] = await Promise.all([
    people.departments.getDepartment({ id: departmentId }, call()),
    people.departments.listDepartments(
      { pageSize: MAX_CHILDREN, pageToken: "", parentDepartmentId: departmentId, includeArchived: false },
      call(),
    ),
    currentMembers(people, departmentId, call),
  ]);

  const known = new Map(members.map((m) => [m.id, m]));
  const missing = [...new Set(members.map((m) => m.managerId).filter((id) => id !== "" && !known.has(id)))];
  for (let i = 0; i < missing.length; i += BATCH) {
    const { employees } = await people.employees.batchGetEmployees({ ids: missing.slice(i, i + BATCH) }, call());
    for (const e of employees) known.set(e.id, e);
  }

  return {
    department,
    children: children.departments,
    members: members.map((m) => ({ person: m, manager: known.get(m.managerId) })),
  };
}

async function currentMembers(people: PeopleClients, departmentId: string, call: () => ReturnType<typeof forwardCall>) {
  const members: Employee[] = [];
  let pageToken = "";
  do {
    const page = await people.employees.listEmployees(
      { pageSize: 200, pageToken, departmentId, managerId: "", status: EmployeeStatus.EMPLOYEE_STATUS_UNSPECIFIED },
      call(),
    );
    members.push(...page.employees.filter((e) => e.status !== EmployeeStatus.EMPLOYEE_STATUS_TERMINATED));
    pageToken = page.nextPageToken;
  } while (pageToken !== "" && members.length < MAX_MEMBERS);
  return members.slice(0, MAX_MEMBERS);
}
