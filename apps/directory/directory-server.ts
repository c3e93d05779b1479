import type { Logger } from "pino";
import { DirectoryServiceDefinition as DirectoryV1 } from "../../generated/proto/hr/directory/v1/directory_service.js";
import { DirectoryServiceDefinition as DirectoryV2 } from "../../generated/proto/hr/directory/v2/directory_service.js";
import { clientPolicyOf } from "../../runtime/client/client-config.js";
import { openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { directoryHandlers } from "./directory-handlers.js";
import { peopleClients } from "./people-clients.js";
import { personCardV1, personCardV2 } from "./person-cards.js";

/**
 * The directory application service: answers with data read from the people
 * data service through its generated clients, with the caller's own token.
 * Both versions of its contract, hr.directory.v1 and v2, are served side by
 * side on one port by the same handlers, each with its version's cards, so a
 * client moves from v1 to v2 at its own pace (the gateway splits version-less
 * traffic between them).
 */
export async function startDirectoryServer(options: {
  port: number;
  /** gRPC target of the people service, e.g. "127.0.0.1:50051" or "dns:///people:50051". */
  peopleTarget: string;
  config: RuntimeConfig;
  logger: Logger;
}): Promise<RunningServer> {
  const channel = openChannel(options.peopleTarget, { balancing: options.config.balancing });
  const people = peopleClients(channel, clientPolicyOf(options.config));
  const server = await startGrpcServer({
    name: "directory",
    port: options.port,
    config: options.config,
    logger: options.logger,
    services: [
      serve(DirectoryV1, directoryHandlers(people, personCardV1)),
      serve(DirectoryV2, directoryHandlers(people, personCardV2)),
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
