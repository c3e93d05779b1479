import { startDirectoryServer } from "../../apps/directory/directory-server.js";
import { DirectoryServiceDefinition } from "../../generated/proto/hr/directory/v1/directory_service.js";
import { DirectoryServiceDefinition as DirectoryV2Definition } from "../../generated/proto/hr/directory/v2/directory_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { testConfig, testLogger } from "./callers.js";
import { testClient } from "./service-under-test.js";

/** A real directory server on a free port, calling the given people server; it serves v1 and v2 of its contract. */
export async function startDirectory(peopleAddress: string) {
  const server = await startDirectoryServer({
    port: 0,
    peopleTarget: peopleAddress,
    config: testConfig,
    logger: testLogger(),
  });
  const channel = openChannel(`127.0.0.1:${server.port}`);
  return {
    server,
    directory: testClient(DirectoryServiceDefinition, channel),
    directoryV2: testClient(DirectoryV2Definition, channel),
    async stop() {
      channel.close();
      await server.stop();
    },
  };
}
