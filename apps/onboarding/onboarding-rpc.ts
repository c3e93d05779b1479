import { type ClientError, Status } from "nice-grpc";
import { ApplicationStage } from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { ErrorReason } from "../../generated/proto/hr/onboarding/v1/error_reason.js";
import type { OnboardingServiceDefinition } from "../../generated/proto/hr/onboarding/v1/onboarding_service.js";
import type { OnboardingCase } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { CaseState } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import { failedPrecondition, notFound } from "../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../runtime/domain/validation.js";
import { requestIdFor } from "../../runtime/events/consumer.js";
import type { BusinessService } from "../../runtime/server/grpc-server.js";
import { requireId } from "../../runtime/server/request-checks.js";
import type { CaseWorker } from "./case-worker.js";
import { issueFirstPassword } from "./first-password.js";
import type { LoginSecret } from "./login-password.js";
import type { OnboardingClients } from "./onboarding-clients.js";
import type { ServiceIdentity } from "./service-identity.js";
import { failedWith } from "./step-failures.js";

type Call = Parameters<BusinessService<typeof OnboardingServiceDefinition>["getOnboarding"]>[1];

/**
 * hr.onboarding.v1.OnboardingService: HR's side of the onboarding cases.
 * Reads go to the cases service with HR's own token (HR may read cases);
 * commands go under the app's service identity in HR's tenant, since only
 * the process manager changes cases, and nudge the worker, which runs the
 * steps in the background.
 */
export function onboardingRpc(
  clients: OnboardingClients,
  identity: ServiceIdentity,
  worker: Pick<CaseWorker, "nudge">,
  loginSecret: LoginSecret,
): BusinessService<typeof OnboardingServiceDefinition> {
  /** The app's call options in the caller's tenant: its own token, the caller's request id and deadline. */
  const asApp = async (call: Call) => forwardCall(call, await identity.token(call.caller.tenantId));
  const answered = (onboarding: OnboardingCase | undefined, nudge = true) => {
    if (nudge) worker.nudge();
    return { onboarding };
  };

  return {
    async startOnboarding(request, call) {
      const requestId = appRequestId(request.requestId, "start-onboarding");
      const open = { requestId, newHire: request.newHire, applicationId: "" };
      const { onboardingCase } = await clients.cases.openCase(open, await asApp(call));
      return answered(onboardingCase);
    },

    async getOnboarding(request, call) {
      const id = requireId("id", request.id);
      const { onboardingCase } = await clients.cases.getCase({ id }, forwardCall(call)).catch(translated(id));
      return answered(onboardingCase, false);
    },

    async listOnboardings(request, call) {
      const { pageSize, pageToken, state } = request;
      const states = state === CaseState.CASE_STATE_UNSPECIFIED ? [] : [state];
      const page = await clients.cases.listCases({ pageSize, pageToken, states }, forwardCall(call));
      return { onboardings: page.onboardingCases, nextPageToken: page.nextPageToken };
    },

    async retryOnboarding(request, call) {
      const id = requireId("id", request.id);
      const requestId = appRequestId(request.requestId, "retry-onboarding");
      const resume = { requestId, id, etag: request.etag, newHire: request.newHire };
      const { onboardingCase } = await clients.cases.resumeCase(resume, await asApp(call)).catch(translated(id));
      return answered(onboardingCase);
    },

    async acceptApplication(request, call) {
      // In the caller's name: talent decides who may hire; the onboarding follows from its event.
      const requestId = appRequestId(request.requestId, "accept-application");
      const id = requireId("application_id", request.applicationId);
      const move = { requestId, id, etag: request.etag, toStage: ApplicationStage.APPLICATION_STAGE_HIRED };
      const { application } = await clients.applications.advanceApplication(
        { ...move, note: request.note },
        forwardCall(call),
      );
      return { application };
    },

    async issueFirstPassword(request, call) {
      const id = requireId("id", request.id);
      const requestId = appRequestId(request.requestId, "issue-first-password");
      return issueFirstPassword(clients, loginSecret, { caseId: id, requestId }, forwardCall(call)).catch(
        translated(id),
      );
    },

    async cancelOnboarding(request, call) {
      const id = requireId("id", request.id);
      const requestId = appRequestId(request.requestId, "cancel-onboarding");
      const cancel = { requestId, id, etag: request.etag, reason: request.reason };
      const { onboardingCase } = await clients.cases.cancelCase(cancel, await asApp(call)).catch(translated(id));
      return answered(onboardingCase);
    },
  };
}

/**
 * The cases service's request id for HR's: derived, so that HR's ids (any
 * text up to 100 characters) and the app's own derived ids never meet in
 * the cases service's one idempotency space.
 */
function appRequestId(given: string, command: string): string {
  const checks = new FieldChecks();
  checks.requestId("request_id", given);
  checks.throwIfAny();
  return requestIdFor(given, command);
}

/** The cases service's refusals in this contract's words: the onboarding is the case. */
function translated(id: string) {
  return (error: unknown): never => {
    if (failedWith(error, Status.NOT_FOUND, "CASE_NOT_FOUND")) throw notFound(ErrorReason.ONBOARDING_NOT_FOUND, id);
    if (failedWith(error, Status.FAILED_PRECONDITION, "CASE_STATE_CONFLICT")) {
      const message = (error as ClientError).details.replace("onboarding case", "onboarding");
      throw failedPrecondition(ErrorReason.ONBOARDING_STATE_CONFLICT, `onboardings/${id}`, message);
    }
    throw error;
  };
}
