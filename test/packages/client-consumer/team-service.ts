import { ClientError, createPlatformClient, forwardFrom, openChannel, type PlatformClient } from "@hr-platform/client";
import {
  EmployeeServiceDefinition,
  GetEmployeeRequest,
  GetEmployeeResponse,
} from "@hr-platform/client/hr/employee/v1/employee_service";
import { type CallContext, createServer, ServerError } from "nice-grpc";

// An application team's own gRPC service, whose one method reads an employee
// from the platform while serving: it passes on its caller's token, request
// id and deadline with forwardFrom. Its method declares no idempotency level,
// so the platform's clients never retry it.

export const TeamProfileDefinition = {
  name: "TeamProfile",
  fullName: "team.v1.TeamProfile",
  methods: {
    profile: {
      name: "Profile",
      requestType: GetEmployeeRequest,
      requestStream: false,
      responseType: GetEmployeeResponse,
      responseStream: false,
      options: {},
    },
  },
} as const;

/** What the handler passed on to the platform, as it saw it. */
export interface Forwarded {
  requestId: string | undefined;
  deadlineMs: number | undefined;
  bearer: boolean;
}

export async function startTeamService(peopleTarget: string) {
  const people = openChannel(peopleTarget);
  const employees: PlatformClient<typeof EmployeeServiceDefinition> = createPlatformClient(
    EmployeeServiceDefinition,
    people,
  );
  const forwarded: Forwarded[] = [];
  const server = createServer();
  server.add(TeamProfileDefinition, {
    async profile(request: GetEmployeeRequest, context: CallContext) {
      const options = forwardFrom(context);
      forwarded.push({
        requestId: options.metadata.get("x-request-id"),
        deadlineMs: options.deadline?.getTime(),
        bearer: options.metadata.get("authorization")?.startsWith("Bearer ") ?? false,
      });
      try {
        return await employees.getEmployee(request, options);
      } catch (error) {
        if (error instanceof ClientError) throw new ServerError(error.code, error.details);
        throw error;
      }
    },
  });
  const port = await server.listen("127.0.0.1:0");
  const stop = async () => {
    await server.shutdown();
    people.close();
  };
  return { target: `127.0.0.1:${port}`, forwarded, stop };
}
