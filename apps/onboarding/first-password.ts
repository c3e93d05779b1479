import { ErrorReason } from "../../generated/proto/hr/onboarding/v1/error_reason.js";
import type { IssueFirstPasswordResponse } from "../../generated/proto/hr/onboarding/v1/onboarding_service.js";
import { Step } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import type { forwardCall } from "../../runtime/client/forward-call.js";
import { failedPrecondition } from "../../runtime/domain/domain-error.js";
import { requestIdFor } from "../../runtime/events/consumer.js";
import { issuedPasswordOf, type LoginSecret } from "./login-password.js";
import type { OnboardingClients } from "./onboarding-clients.js";

/**
 * IssueFirstPassword: an administrator's reset of the onboarded login, in
 * HR's name (`asHr` carries HR's token, so identity checks HR's roles and
 * audits HR), with a password derived from HR's request id. Identity's
 * request id also covers the etag read just before: a repeat after the
 * first reset (which moved the etag) is a second reset to the same
 * password, not a request id reused with another payload.
 */
export async function issueFirstPassword(
  clients: OnboardingClients,
  secret: LoginSecret,
  request: { caseId: string; requestId: string },
  asHr: ReturnType<typeof forwardCall>,
): Promise<IssueFirstPasswordResponse> {
  const { onboardingCase } = await clients.cases.getCase({ id: request.caseId }, asHr);
  const accountId = onboardingCase?.steps.find((s) => s.step === Step.STEP_CREATE_LOGIN && s.done)?.accountId ?? "";
  if (accountId === "") {
    const message = "the onboarding has not created the login yet: follow it with GetOnboarding";
    throw failedPrecondition(ErrorReason.ONBOARDING_STATE_CONFLICT, `onboardings/${request.caseId}`, message);
  }
  const { account } = await clients.accounts.getAccount({ id: accountId }, asHr);
  const etag = account?.etag ?? "";
  const password = issuedPasswordOf(secret, request.caseId, request.requestId);
  const reset = {
    requestId: requestIdFor(request.requestId, `issue-first-password/${request.caseId}/${etag}`),
    ...{ id: accountId, etag, currentPassword: "", newPassword: password },
  };
  await clients.accounts.changePassword(reset, asHr);
  return { loginName: account?.loginName ?? "", password };
}
