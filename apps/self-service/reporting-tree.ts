import type { Employee } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { EmployeeStatus } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import type { DataClients } from "./data-clients.js";
import { inBatches } from "./in-batches.js";
import type { SelfServiceCall } from "./signed-in-employee.js";

/** Bounds that keep a bad manager link (a loop, a huge tree) from hanging a call. */
export const MAX_REPORTS = 1000;
const MAX_LEVELS = 50;
const PARALLEL_CALLS = 8;
const PAGE_SIZE = 200;

/**
 * Everyone who reports to `managerId`, directly or through other managers,
 * nearest level first: people's manager links walked downwards, one level at
 * a time (ListEmployees filtered by manager). Stops after MAX_REPORTS people
 * or MAX_LEVELS levels, and at a loop in the data.
 */
export async function reportsOf(data: DataClients, managerId: string, context: SelfServiceCall): Promise<Employee[]> {
  const seen = new Set([managerId]);
  const reports: Employee[] = [];
  let level = [managerId];
  for (let depth = 0; depth < MAX_LEVELS && level.length > 0 && reports.length < MAX_REPORTS; depth++) {
    const found = (await inBatches(level, PARALLEL_CALLS, (id) => directReports(data, id, context))).flat();
    level = [];
    for (const employee of found) {
      if (seen.has(employee.id) || reports.length >= MAX_REPORTS) continue;
      seen.add(employee.id);
      reports.push(employee);
      level.push(employee.id);
    }
  }
  return reports;
}

/**
 * Whether `employeeId` reports to `managerId`, directly or indirectly: the
 * employee's manager chain walked upwards (one short read per level, cheaper
 * than the whole tree below the manager). An unknown employee reports to no one.
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

async function directReports(data: DataClients, managerId: string, context: SelfServiceCall): Promise<Employee[]> {
  const reports: Employee[] = [];
  let pageToken = "";
  do {
    const page = await data.employees.listEmployees(
      {
        pageSize: PAGE_SIZE,
        pageToken,
        departmentId: "",
        managerId,
        status: EmployeeStatus.EMPLOYEE_STATUS_UNSPECIFIED,
      },
      forwardCall(context),
    );
    reports.push(...page.employees);
    pageToken = page.nextPageToken;
  } while (pageToken !== "" && reports.length < MAX_REPORTS);
  return reports;
}
