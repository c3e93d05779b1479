import type { GetManagerChainResponse } from "../../generated/proto/hr/directory/v1/directory_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import type { AuthenticatedContext } from "../../runtime/server/call-scope.js";
import { personCard } from "./cards.js";
import type { PeopleClients } from "./people-clients.js";

const MAX_LEVELS = 50;

/**
 * GetManagerChain: walks manager links upwards, one level per call (each level
 * is only known once the previous one is read). Stops at the top, after
 * MAX_LEVELS, or at a loop in the data, so a bad link cannot hang the call.
 */
export async function managerChain(
  people: PeopleClients,
  employeeId: string,
  context: AuthenticatedContext,
): Promise<GetManagerChainResponse> {
  const { employee } = await people.employees.getEmployee({ id: employeeId }, forwardCall(context));
  const seen = new Set([employeeId]);
  const managers: GetManagerChainResponse["managers"] = [];
  let next = employee?.managerId ?? "";
  while (next !== "" && !seen.has(next) && managers.length < MAX_LEVELS) {
    seen.add(next);
    const { employees } = await people.employees.batchGetEmployees({ ids: [next] }, forwardCall(context));
    const manager = employees[0];
    if (!manager) break;
    managers.push(personCard(manager));
    next = manager.managerId;
  }
  return { employee: employee && personCard(employee), managers };
}
