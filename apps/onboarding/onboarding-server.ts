import type { Logger } from "pino";
import { OnboardingServiceDefinition } from "../../generated/proto/hr/onboarding/v1/onboarding_service.js";
import type { TokenSigner } from "../../runtime/auth/token-signer.js";
import { clientPolicyOf } from "../../runtime/client/client-config.js";
import type { Env, RuntimeConfig } from "../../runtime/config.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { CaseRunner } from "./case-runner.js";
import { CaseWorker } from "./case-worker.js";
import type { LoginSecret } from "./login-password.js";
import { type OnboardingTargets, onboardingClients } from "./onboarding-clients.js";
import { onboardingRpc } from "./onboarding-rpc.js";
import { startReactions } from "./reactions.js";
import { ServiceIdentity } from "./service-identity.js";

export interface OnboardingServerOptions {
  port: number;
  targets: OnboardingTargets;
  signer: TokenSigner;
  loginSecret: LoginSecret;
  pollIntervalMs: number;
  /** Annual leave opened for a person hired from an accepted application, in half days. */
  annualLeaveHalfDays: number;
  retry: { baseMs: number; maxMs: number };
  config: RuntimeConfig;
  logger: Logger;
  /** Where the events settings are read (EVENTS_DATABASE_URL unset: no reactions); the process's by default. */
  env?: Env;
}

/**
 * The onboarding application service: HR's OnboardingService, and the
 * worker that runs the cases' steps in the background under the app's own
 * service identity (it signs its own short-lived workflow_service tokens),
 * and its one event consumer (reactions.ts).
 */
export async function startOnboardingServer(options: OnboardingServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const clients = onboardingClients(options.targets, clientPolicyOf(config));
  const identity = new ServiceIdentity(options.signer, config.auth);
  const runner = new CaseRunner({ clients, identity, loginSecret: options.loginSecret, retry: options.retry, logger });
  const worker = new CaseWorker(clients, identity, runner, options.pollIntervalMs, logger);
  const server = await startGrpcServer({
    name: "onboarding",
    port: options.port,
    config,
    logger,
    services: [serve(OnboardingServiceDefinition, onboardingRpc(clients, identity, worker, options.loginSecret))],
  });
  worker.start();
  const reactions = await startReactions({
    clients,
    identity,
    nudge: () => worker.nudge(),
    annualLeaveHalfDays: options.annualLeaveHalfDays,
    logger,
    env: options.env,
  });
  return {
    port: server.port,
    async stop() {
      await server.stop();
      await reactions?.stop();
      await worker.stop();
      clients.close();
    },
  };
}
