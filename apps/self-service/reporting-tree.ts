import type { Employee } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { EmployeeStatus } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { ErrorReason } from "../../generated/proto/hr/selfservice/v1/error_reason.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import { failedPrecondition } from "../../runtime/domain/domain-error.js";
import type { DataClients } from "./data-clients.js";
import type { SelfServiceCall } from "./signed-in-employee.js";

/** The most people and levels one call walks; a larger tree is refused (TEAM_TOO_LARGE), never cut silently. */
export const MAX_TEAM_SIZE = 1000;
export const MAX_LEVELS = 50;
/** Ids per filter the data services accept (their List methods refuse more), and a page of answers. */
export const IDS_PER_CALL = 200;
const PAGE_SIZE = 200;

/**
 * Everyone who reports to `managerId`, directly or through other managers,
 * nearest level first: people's manager links walked downwards a whole
 * level at a time (ListEmployees filtered by up to 200 managers, a page per
 * call), so the calls grow with the tree's size over 200, not with its head
 * count. Refuses a tree of more than MAX_TEAM_SIZE people or MAX_LEVELS
 * levels; a loop in the data ends the walk.
 */
export async function reportsOf(data: DataClients, managerId: string, context: SelfServiceCall): Promise<Employee[]> {
  const seen = new Set([managerId]);
  const reports: Employee[] = [];
  let level = [managerId];
  for (let depth = 0; level.length > 0; depth++) {
    if (depth === MAX_LEVELS) throw teamTooLarge(context, `more than ${MAX_LEVELS} levels of managers`);
    const found: Employee[] = [];
    for (let i = 0; i < level.length; i += IDS_PER_CALL) {
      const room = MAX_TEAM_SIZE - reports.length - found.length;
      found.push(...(await directReportsOfAny(data, level.slice(i, i + IDS_PER_CALL), room, context)));
    }
    level = [];
    for (const employee of found) {
      if (seen.has(employee.id)) continue;
      seen.add(employee.id);
      reports.push(employee);
      level.push(employee.id);
    }
  }
  return reports;
}

/**
 * Whether `employeeId` reports to `managerId`, directly or indirectly: the
 * employee's manager chain walked upwards (one short read per level, at most
 * MAX_LEVELS, cheaper than the whole tree below the manager). An unknown
 * employee reports to no one.
 */
export async function reportsTo(
  data: DataClients,
  employeeId: string,
  managerId: string,
  context: SelfServiceCall,
): Promise<boolean> {
  const seen = new Set([employeeId]);
  let next = employeeId;
  for (let depth = 0; depth < MAX_LEVELS; depth++) {
    const { employees } = await data.employees.batchGetEmployees({ ids: [next] }, forwardCall(context));
    const manager = employees[0]?.managerId ?? "";
    if (manager === managerId) return true;
    if (manager === "" || seen.has(manager)) return false;
    seen.add(manager);
    next = manager;
  }
  return false;
}

/**
 * The direct reports of any of `managerIds` (at most IDS_PER_CALL), page by
 * page; refuses once more than `room` people came back (the rest of the
 * tree's allowance), so no call reads past the limit.
 */
async function directReportsOfAny(
  data: DataClients,
  managerIds: string[],
  room: number,
  context: SelfServiceCall,
): Promise<Employee[]> {
  const reports: Employee[] = [];
  let pageToken = "";
  do {
    const page = await data.employees.listEmployees(
      {
        pageSize: PAGE_SIZE,
        pageToken,
        departmentId: "",
        managerId: "",
        managerIds,
        status: EmployeeStatus.EMPLOYEE_STATUS_UNSPECIFIED,
      },
      forwardCall(context),
    );
    reports.push(...page.employees);
    pageToken = page.nextPageToken;
    if (reports.length > room) throw teamTooLarge(context, `more than ${MAX_TEAM_SIZE} people`);
  } while (pageToken !== "");
  return reports;
}

/**
 * FAILED_PRECONDITION, not RESOURCE_EXHAUSTED: asking again later does not
 * help (clients retry the latter), the organization's shape is what refuses.
 */
function teamTooLarge(context: SelfServiceCall, what: string) {
  return failedPrecondition(
    ErrorReason.TEAM_TOO_LARGE,
    `employees/${context.caller.employeeId}`,
    `the reporting tree holds ${what}, more than one call walks`,
  );
}
