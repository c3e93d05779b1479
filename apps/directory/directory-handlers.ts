import type { Employee } from "../../generated/proto/hr/employee/v1/employee_service.js";
import type { Department } from "../../generated/proto/hr/organization/v1/department_service.js";
import type { AuthenticatedContext } from "../../runtime/server/call-scope.js";
import { requireId } from "../../runtime/server/request-checks.js";
import { managerChain } from "./manager-chain.js";
import type { PeopleClients } from "./people-clients.js";
import { teamView } from "./team-view.js";

/**
 * The directory's handlers for one version of its contract: the same
 * request checks and use cases for every version, answered with that
 * version's person card. v1 and v2 are served by this one code; a version
 * is only its `personCard` (person-cards.ts), typed by that version's
 * PersonCard. (Generated service types accept any partial answer, so pairing
 * a version with the other's cards would compile: test/apps/directory.test.ts
 * checks each version's shape over the wire.)
 */
export function directoryHandlers<Card>(people: PeopleClients, personCard: (e: Employee) => Card) {
  return {
    async getTeam(request: { departmentId: string }, context: AuthenticatedContext) {
      const team = await teamView(people, requireId("department_id", request.departmentId), context);
      return {
        department: team.department && departmentCard(team.department),
        childDepartments: team.children.map(departmentCard),
        members: team.members.map((m) => ({
          person: personCard(m.person),
          manager: m.manager && personCard(m.manager),
        })),
      };
    },
    async getManagerChain(request: { employeeId: string }, context: AuthenticatedContext) {
      const chain = await managerChain(people, requireId("employee_id", request.employeeId), context);
      return { employee: chain.employee && personCard(chain.employee), managers: chain.managers.map(personCard) };
    },
  };
}

/** A department as every version shows it. */
function departmentCard(d: Department) {
  return { id: d.id, name: d.name, code: d.code };
}
