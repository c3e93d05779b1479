import { PrismaPg } from "@prisma/adapter-pg";
import type { Logger } from "pino";
import { PrismaClient } from "../../generated/prisma/timeoff/client.js";
import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { startDataServer } from "../../runtime/service/data-service.js";
import { timeoffService } from "../../services/timeoff/timeoff-service.js";
import { testConfig } from "./callers.js";
import { startServiceUnderTest, testClient } from "./service-under-test.js";

const openRows = (url: string) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) });

/** A real timeoff server on a free port over a fresh database, with a client per context; `logger` gets its logs. */
export async function startTimeoff(config: RuntimeConfig = testConfig, logger?: Logger) {
  const service = await startServiceUnderTest(
    "timeoff",
    openRows,
    (options) => startDataServer(timeoffService, options),
    config,
    logger,
  );
  return {
    ...service,
    leaveAccounts: testClient(LeaveAccountServiceDefinition, service.channel),
  };
}

export type TimeoffUnderTest = Awaited<ReturnType<typeof startTimeoff>>;
