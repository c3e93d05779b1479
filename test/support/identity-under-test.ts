import { PrismaPg } from "@prisma/adapter-pg";
import type { Logger } from "pino";
import { PrismaClient } from "../../generated/prisma/identity/client.js";
import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { SessionServiceDefinition } from "../../generated/proto/hr/sessionstore/v1/session_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { startDataServer } from "../../runtime/service/data-service.js";
import type { SignInThrottle } from "../../services/identity/account/sign-in-throttle.js";
import { readIdentitySettings } from "../../services/identity/identity-config.js";
import { identityService } from "../../services/identity/identity-service.js";
import { testConfig } from "./callers.js";
import { type ServerOptions, startServiceUnderTest, testClient } from "./service-under-test.js";

const openRows = (url: string) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) });

/**
 * A real identity server on a free port over a fresh database, with a client
 * per context; `logger` gets its logs (audit lines included), and
 * `signInThrottle` replaces the default waits after failed sign-ins.
 */
export async function startIdentity(
  config: RuntimeConfig = testConfig,
  logger?: Logger,
  signInThrottle?: SignInThrottle,
) {
  const defaults = readIdentitySettings({});
  const settings = { ...defaults, signInThrottle: signInThrottle ?? defaults.signInThrottle };
  const start = (options: ServerOptions) => startDataServer(identityService, { ...options, settings });
  const service = await startServiceUnderTest("identity", openRows, start, config, logger);
  return {
    ...service,
    accounts: testClient(AccountServiceDefinition, service.channel),
    sessions: testClient(SessionServiceDefinition, service.channel),
  };
}

export type IdentityUnderTest = Awaited<ReturnType<typeof startIdentity>>;
