import { OnboardingCaseServiceDefinition } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { serve } from "../../runtime/server/grpc-server.js";
import type { DataService } from "../../runtime/service/data-service.js";
import { onboardingCaseRpc } from "./onboarding-case/onboarding-case-rpc.js";

/**
 * The cases data service: the onboardingcase context over its own database,
 * the state of the onboarding process manager (apps hold no database).
 */
export const casesService: DataService = {
  name: "cases",
  contexts: (db) => [serve(OnboardingCaseServiceDefinition, onboardingCaseRpc(db))],
};
