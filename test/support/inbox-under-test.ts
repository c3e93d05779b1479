import { PrismaPg } from "@prisma/adapter-pg";
import type { Logger } from "pino";
import { PrismaClient } from "../../generated/prisma/inbox/client.js";
import { NotificationServiceDefinition } from "../../generated/proto/hr/notification/v1/notification_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { startDataServer } from "../../runtime/service/data-service.js";
import { inboxService } from "../../services/inbox/inbox-service.js";
import { testConfig } from "./callers.js";
import { startServiceUnderTest, testClient } from "./service-under-test.js";

const openRows = (url: string) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) });

/** A real inbox server on a free port over a fresh database, with a client of its notification context. */
export async function startInbox(config: RuntimeConfig = testConfig, logger?: Logger) {
  const service = await startServiceUnderTest(
    "inbox",
    openRows,
    (options) => startDataServer(inboxService, options),
    config,
    logger,
  );
  return {
    ...service,
    notifications: testClient(NotificationServiceDefinition, service.channel),
  };
}

export type InboxUnderTest = Awaited<ReturnType<typeof startInbox>>;
