import { DirectoryServiceDefinition } from "../../../generated/proto/hr/directory/v1/directory_service.js";
import { rawClient } from "../raw-client.js";
import type { RawChannel } from "../raw-grpc-client.js";
import { type PeopleSeed, TEAM_SIZE } from "../seed/people.js";
import { type Case, check } from "./case.js";

// GetTeam through the directory app process, which calls the people process
// (GetDepartment, ListDepartments, ListEmployees, and one BatchGet for the
// manager outside the team): both processes' CPU is charged to the call.

export function directoryCase(channel: RawChannel, seed: PeopleSeed, peopleServers: readonly string[]): Case {
  const directory = rawClient(DirectoryServiceDefinition, channel);
  return {
    name: `GetTeam (${TEAM_SIZE} members, via directory)`,
    servers: ["directory", ...peopleServers],
    call: async () => {
      const team = await directory.getTeam({ departmentId: seed.teamDepartmentId });
      check(team.members.length === TEAM_SIZE && team.members[0]?.manager !== undefined, "GetTeam");
    },
  };
}
