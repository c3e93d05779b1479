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
 * are fetched with BatchGet, 200 at a time, not one call each: at most 11
 * calls to people whatever the department's size. Answers records, not cards:
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

/**
 * The department's pending and active members in hiring order, at most
 * MAX_MEMBERS: one listing per status (each at most MAX_MEMBERS / 200 + 1
 * pages), merged by id (UUIDv7 ids sort in hiring order). Terminated people
 * are never read, so however many have left, the calls stay the same.
 */
async function currentMembers(people: PeopleClients, departmentId: string, call: () => ReturnType<typeof forwardCall>) {
  const [pending, active] = await Promise.all(
    [EmployeeStatus.EMPLOYEE_STATUS_PENDING, EmployeeStatus.EMPLOYEE_STATUS_ACTIVE].map(async (status) => {
      const members: Employee[] = [];
      let pageToken = "";
      do {
        const page = await people.employees.listEmployees(
          { pageSize: BATCH, pageToken, departmentId, managerId: "", managerIds: [], status },
          call(),
        );
        members.push(...page.employees);
        pageToken = page.nextPageToken;
      } while (pageToken !== "" && members.length < MAX_MEMBERS);
      return members;
    }),
  );
  return [...(pending ?? []), ...(active ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1)).slice(0, MAX_MEMBERS);
}
