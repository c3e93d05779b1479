import { type Channel, createClient } from "nice-grpc";
import { DirectoryServiceDefinition } from "../../../generated/proto/hr/directory/v1/directory_service.js";
import { type PeopleSeed, TEAM_SIZE } from "../seed/people.js";
import { type CallOptions, type Case, check } from "./case.js";

// GetTeam through the directory app process, which calls the people process
// (GetDepartment, ListDepartments, ListEmployees, and one BatchGet for the
// manager outside the team): both processes' CPU is charged to the call.

export function directoryCase(
  channel: Channel,
  options: CallOptions,
  seed: PeopleSeed,
  peopleServers: readonly string[],
): Case {
  const directory = createClient(DirectoryServiceDefinition, channel);
  return {
    name: `GetTeam (${TEAM_SIZE} members, via directory)`,
    servers: ["directory", ...peopleServers],
    call: async () => {
      const team = await directory.getTeam({ departmentId: seed.teamDepartmentId }, options);
      check(team.members.length === TEAM_SIZE && team.members[0]?.manager !== undefined, "GetTeam");
    },
  };
}
