import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { openTimeoffDatabase } from "../../services/timeoff/timeoff-database.js";
import { startTimeoffServer } from "../../services/timeoff/timeoff-server.js";
import { testConfig } from "./callers.js";
import { startServiceUnderTest, testClient } from "./service-under-test.js";

/** A real timeoff server on a free port over a fresh database, with a client per context. */
export async function startTimeoff(config: RuntimeConfig = testConfig) {
  const service = await startServiceUnderTest(
    "timeoff",
    (url) => openTimeoffDatabase(url, 2),
    (options) =>
      startTimeoffServer({ ...options, db: openTimeoffDatabase(options.db.pool.options.connectionString ?? "", 5) }),
    config,
  );
  return {
    ...service,
    leaveAccounts: testClient(LeaveAccountServiceDefinition, service.channel),
  };
}

export type TimeoffUnderTest = Awaited<ReturnType<typeof startTimeoff>>;
