import type { Logger } from "pino";
import { startSelfServiceServer } from "../../apps/self-service/self-service-server.js";
import { SelfServiceDefinition } from "../../generated/proto/hr/selfservice/v1/self_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { testConfig, testLogger } from "./callers.js";
import { testClient } from "./service-under-test.js";

/** Where a test without notifications says inbox is: nothing listens there, and nothing calls it. */
const NO_INBOX = "127.0.0.1:1";

/**
 * A real self-service server on a free port, calling the given people,
 * timeoff and (when given) inbox servers; `logger` gets its logs.
 */
export async function startSelfService(
  peopleAddress: string,
  timeoffAddress: string,
  logger: Logger = testLogger(),
  inboxAddress = NO_INBOX,
) {
  const server = await startSelfServiceServer({
    port: 0,
    peopleTarget: peopleAddress,
    timeoffTarget: timeoffAddress,
    inboxTarget: inboxAddress,
    config: testConfig,
    logger,
  });
  const channel = openChannel(`127.0.0.1:${server.port}`);
  return {
    server,
    channel,
    selfService: testClient(SelfServiceDefinition, channel),
    async stop() {
      channel.close();
      await server.stop();
    },
  };
}

export type SelfServiceUnderTest = Awaited<ReturnType<typeof startSelfService>>;
