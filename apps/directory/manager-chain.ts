import type { Employee } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import type { AuthenticatedContext } from "../../runtime/server/call-scope.js";
import type { PeopleClients } from "./people-clients.js";

const MAX_LEVELS = 50;

/** An employee and their managers, nearest first, as the people service holds them. */
export interface ManagerChain {
  employee: Employee | undefined;
  managers: Employee[];
}

/**
 * GetManagerChain: walks manager links upwards, one level per call (each level
 * is only known once the previous one is read). Stops at the top, after
 * MAX_LEVELS, or at a loop in the data, so a bad link cannot hang the call.
 * Answers records, not cards: each version of the contract shows them its way.
 */
export async function managerChain(
  people: PeopleClients,
  employeeId: string,
  context: AuthenticatedContext,
): Promise<ManagerChain> {
  const { employee } = await people.employees.getEmployee({ id: employeeId }, forwardCall(context));
  const seen = new Set([employeeId]);
  const managers: Employee[] = [];
  let next = employee?.managerId ?? "";
  while (next !== "" && !seen.has(next) && managers.length < MAX_LEVELS) {
    seen.add(next);
    const { employees } = await people.employees.batchGetEmployees({ ids: [next] }, forwardCall(context));
    const manager = employees[0];
    if (!manager) break;
    managers.push(manager);
    next = manager.managerId;
  }
  return { employee, managers };
}
