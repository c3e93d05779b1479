import type { Logger } from "pino";
import { DirectoryServiceDefinition } from "../../generated/proto/hr/directory/v1/directory_service.js";
import { clientPolicyOf, openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { requireId } from "../../runtime/server/request-checks.js";
import { managerChain } from "./manager-chain.js";
import { peopleClients } from "./people-clients.js";
import { teamView } from "./team-view.js";

/**
 * The directory application service: answers with data read from the people
 * data service through its generated clients, with the caller's own token.
 */
export async function startDirectoryServer(options: {
  port: number;
  /** gRPC target of the people service, e.g. "127.0.0.1:50051" or "dns:///people:50051". */
  peopleTarget: string;
  config: RuntimeConfig;
  logger: Logger;
}): Promise<RunningServer> {
  const channel = openChannel(options.peopleTarget);
  const people = peopleClients(channel, clientPolicyOf(options.config));
  const server = await startGrpcServer({
    name: "directory",
    port: options.port,
    config: options.config,
    logger: options.logger,
    services: [
      serve(DirectoryServiceDefinition, {
        getTeam: (request, context) => teamView(people, requireId("department_id", request.departmentId), context),
        getManagerChain: (request, context) =>
          managerChain(people, requireId("employee_id", request.employeeId), context),
      }),
    ],
  });
  return {
    port: server.port,
    async stop() {
      await server.stop();
      channel.close();
    },
  };
}
