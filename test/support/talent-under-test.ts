import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/talent/client.js";
import { ApplicationServiceDefinition } from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { JobOpeningServiceDefinition } from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { startDataServer } from "../../runtime/service/data-service.js";
import { talentService } from "../../services/talent/talent-service.js";
import { testConfig } from "./callers.js";
import { startServiceUnderTest, testClient } from "./service-under-test.js";

const openRows = (url: string) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) });

/** A real talent server on a free port over a fresh database, with a client per context. */
export async function startTalent(config: RuntimeConfig = testConfig) {
  const service = await startServiceUnderTest(
    "talent",
    openRows,
    (options) => startDataServer(talentService, options),
    config,
  );
  return {
    ...service,
    jobOpenings: testClient(JobOpeningServiceDefinition, service.channel),
    applications: testClient(ApplicationServiceDefinition, service.channel),
  };
}

export type TalentUnderTest = Awaited<ReturnType<typeof startTalent>>;
