import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/cases/client.js";
import { OnboardingCaseServiceDefinition } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { startDataServer } from "../../runtime/service/data-service.js";
import { casesService } from "../../services/cases/cases-service.js";
import { testConfig } from "./callers.js";
import { startServiceUnderTest, testClient } from "./service-under-test.js";

const openRows = (url: string) => new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) });

/** A real cases server on a free port over a fresh database, with a client of the onboardingcase context. */
export async function startCases(config: RuntimeConfig = testConfig) {
  const service = await startServiceUnderTest(
    "cases",
    openRows,
    (options) => startDataServer(casesService, options),
    config,
  );
  return { ...service, cases: testClient(OnboardingCaseServiceDefinition, service.channel) };
}

export type CasesUnderTest = Awaited<ReturnType<typeof startCases>>;
