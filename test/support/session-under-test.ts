import type { Logger } from "pino";
import { startSessionServer } from "../../apps/session/session-server.js";
import { SessionServiceDefinition } from "../../generated/proto/hr/session/v1/session_service.js";
import type { TokenSigner } from "../../runtime/auth/token-signer.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { testConfig, testLogger, testSigner } from "./callers.js";
import { testClient } from "./service-under-test.js";

/** A real session server on a free port, calling the given identity server, signing with `signer`; `logger` gets its logs. */
export async function startSession(
  identityAddress: string,
  signer: TokenSigner = testSigner,
  logger: Logger = testLogger(),
) {
  const server = await startSessionServer({
    port: 0,
    identityTarget: identityAddress,
    signer,
    accessTokenSeconds: 900,
    config: testConfig,
    logger,
  });
  const channel = openChannel(`127.0.0.1:${server.port}`);
  return {
    server,
    session: testClient(SessionServiceDefinition, channel),
    async stop() {
      channel.close();
      await server.stop();
    },
  };
}
