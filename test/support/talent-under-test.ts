import { ApplicationServiceDefinition } from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { JobOpeningServiceDefinition } from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { openTalentDatabase } from "../../services/talent/talent-database.js";
import { startTalentServer } from "../../services/talent/talent-server.js";
import { testConfig } from "./callers.js";
import { startServiceUnderTest, testClient } from "./service-under-test.js";

/** A real talent server on a free port over a fresh database, with a client per context. */
export async function startTalent(config: RuntimeConfig = testConfig) {
  const service = await startServiceUnderTest(
    "talent",
    (url) => openTalentDatabase(url, 2),
    (options) =>
      startTalentServer({ ...options, db: openTalentDatabase(options.db.pool.options.connectionString ?? "", 5) }),
    config,
  );
  return {
    ...service,
    jobOpenings: testClient(JobOpeningServiceDefinition, service.channel),
    applications: testClient(ApplicationServiceDefinition, service.channel),
  };
}

export type TalentUnderTest = Awaited<ReturnType<typeof startTalent>>;
