import type { GetTeamResponse } from "../../generated/proto/hr/directory/v1/directory_service.js";
import { type Employee, EmployeeStatus } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import type { AuthenticatedContext } from "../../runtime/server/call-scope.js";
import { departmentCard, personCard } from "./cards.js";
import type { PeopleClients } from "./people-clients.js";

const MAX_MEMBERS = 500;
const MAX_CHILDREN = 200;
const BATCH = 200;

/**
 * GetTeam: the department, its active child departments and its non-terminated
 * members with their managers. Reads run in parallel; managers outside the team
 * are fetched with BatchGet, not one call each.
 */
export async function teamView(
  people: PeopleClients,
  departmentId: string,
  context: AuthenticatedContext,
): Promise<GetTeamResponse> {
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
    department: department && departmentCard(department),
    childDepartments: children.departments.map(departmentCard),
    members: members.map((m) => {
      const manager = known.get(m.managerId);
      return { person: personCard(m), manager: manager && personCard(manager) };
    }),
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
