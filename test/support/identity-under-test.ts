import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { openIdentityDatabase } from "../../services/identity/identity-database.js";
import { startIdentityServer } from "../../services/identity/identity-server.js";
import { testConfig } from "./callers.js";
import { startServiceUnderTest, testClient } from "./service-under-test.js";

/** A real identity server on a free port over a fresh database, with a client per context. */
export async function startIdentity(config: RuntimeConfig = testConfig) {
  const service = await startServiceUnderTest(
    "identity",
    (url) => openIdentityDatabase(url, 2),
    (options) =>
      startIdentityServer({ ...options, db: openIdentityDatabase(options.db.pool.options.connectionString ?? "", 5) }),
    config,
  );
  return {
    ...service,
    accounts: testClient(AccountServiceDefinition, service.channel),
  };
}

export type IdentityUnderTest = Awaited<ReturnType<typeof startIdentity>>;
