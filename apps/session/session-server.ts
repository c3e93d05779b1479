import type { Logger } from "pino";
import { SessionServiceDefinition } from "../../generated/proto/hr/session/v1/session_service.js";
import type { TokenSigner } from "../../runtime/auth/token-signer.js";
import { clientPolicyOf } from "../../runtime/client/client-config.js";
import { openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { type RunningServer, servePublic, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { identityClients } from "./identity-clients.js";
import { signIn } from "./sign-in.js";
import { TokenMinting } from "./token-minting.js";

/**
 * The session application service: signs people in through the identity
 * service and mints caller tokens with the platform's private key. Its
 * methods are public (callers have no token yet); it calls identity under a
 * service identity of its own.
 */
export async function startSessionServer(options: {
  port: number;
  /** gRPC target of the identity service, e.g. "127.0.0.1:50053". */
  identityTarget: string;
  signer: TokenSigner;
  /** Lifetime of access tokens: at most what the verifiers accept (config.auth.maxTokenLifetimeSeconds). */
  accessTokenSeconds: number;
  config: RuntimeConfig;
  logger: Logger;
}): Promise<RunningServer> {
  const { config } = options;
  if (options.accessTokenSeconds > config.auth.maxTokenLifetimeSeconds) {
    throw new Error(`access tokens of ${options.accessTokenSeconds} s would be refused by every service`);
  }
  const channel = openChannel(options.identityTarget, { balancing: config.balancing });
  const identity = identityClients(channel, clientPolicyOf(config));
  const minting = new TokenMinting(options.signer, config.auth, options.accessTokenSeconds);
  const server = await startGrpcServer({
    name: "session",
    port: options.port,
    config,
    logger: options.logger,
    services: [servePublic(SessionServiceDefinition, signIn(identity, minting))],
  });
  return {
    port: server.port,
    async stop() {
      await server.stop();
      channel.close();
    },
  };
}
