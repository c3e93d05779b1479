import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createLocalJWKSet, jwtVerify } from "jose";
import { Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import {
  CaseState,
  type ListCasesRequest,
  type OnboardingCase,
  type OpenCaseRequest,
  Step,
} from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { as, type Caller, testConfig, testKeys } from "../support/callers.js";
import { startCases } from "../support/cases-under-test.js";
import { type ContextAdapter, required } from "./adapter.js";
import { describeConventions } from "./suite.js";

// The conventions (tenancy, request ids, etags, paging) in the onboardingcase context.
// Run alone: npx vitest run test/conventions/onboardingcase.test.ts

type Filter = Partial<Pick<ListCasesRequest, "states" | "dueBefore">>;

/** The employee a recorded hire names: one id, so a repeated request is the same request. */
const HIRED = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";

const keys = createLocalJWKSet(JSON.parse(readFileSync(testKeys.jwksFile, "utf8")));

/**
 * The suite calls as an administrator of a tenant; only the process
 * manager's role changes cases. A caller whose token verifies is called as
 * the workflow service of the same tenant and subject; any other (no token,
 * a forged, expired or malformed one) is passed on as it is, to be refused.
 */
async function asWorkflow(caller: Caller | undefined): Promise<Caller | undefined> {
  const token =
    caller?.metadata
      .get("authorization")
      ?.toString()
      .replace(/^Bearer /, "") ?? "";
  const verified = await jwtVerify(token, keys, testConfig.auth).catch(() => undefined);
  if (caller === undefined || verified === undefined) return caller;
  return as(caller.tenantId, ["workflow_service"], { userId: verified.payload.sub });
}

const cases: ContextAdapter<OnboardingCase, OpenCaseRequest, Filter> = {
  context: "onboardingcase",
  noun: "onboarding case",
  async start() {
    const server = await startCases();
    const client = server.cases;
    const call = async <R>(caller: Caller | undefined, run: (c: Caller | undefined) => Promise<R>) =>
      run(await asWorkflow(caller));
    return {
      field: "onboardingCase",
      notFoundReason: "CASE_NOT_FOUND",
      createRequest: () => {
        const email = `grace.${randomUUID().slice(0, 8)}@example.com`;
        return {
          requestId: randomUUID(),
          applicationId: "",
          newHire: {
            ...{ givenName: "Grace", familyName: "Hopper", workEmail: email, jobTitle: "", managerId: "" },
            ...{ departmentId: randomUUID(), startDate: "2027-01-04", loginName: email, roles: [Role.ROLE_EMPLOYEE] },
            leaveEntitlements: [{ leaveType: LeaveType.LEAVE_TYPE_ANNUAL, entitlementHalfDays: 50 }],
          },
        };
      },
      otherPayloads: (request) => [
        { ...request, newHire: request.newHire && { ...request.newHire, givenName: "Someone else" } },
        { ...request, applicationId: randomUUID() },
      ],
      create: (request, caller) => call(caller, (c) => client.openCase(request, c)),
      get: async (id, caller) => (await call(caller, (c) => client.getCase({ id }, c))).onboardingCase!,
      list: async (caller, page, filter = {}) => {
        const request = { states: [], ...page, ...filter };
        const { onboardingCases, nextPageToken } = await call(caller, (c) => client.listCases(request, c));
        return { items: onboardingCases, nextPageToken };
      },
      filter: { states: [CaseState.CASE_STATE_IN_PROGRESS] },
      otherFilters: [
        { states: [CaseState.CASE_STATE_STOPPED] },
        { states: [CaseState.CASE_STATE_IN_PROGRESS], dueBefore: new Date("2100-01-01T00:00:00Z") },
      ],
      // A transient failure: the case stays where it is, so it runs again.
      change: required("RecordStepFailed", (c, caller, key, variant = 0) =>
        call(caller, (as) =>
          client.recordStepFailed(
            {
              ...key,
              id: c.id,
              step: Step.STEP_HIRE_EMPLOYEE,
              reason: "UNAVAILABLE",
              message: `people was unavailable (${variant})`,
              permanent: false,
              retryTime: new Date("2100-01-01T00:00:00Z"),
            },
            as,
          ),
        ),
      ),
      commands: [
        required("RecordStepDone", (c, caller, key) =>
          call(caller, (as) =>
            client.recordStepDone(
              {
                ...key,
                id: c.id,
                step: Step.STEP_HIRE_EMPLOYEE,
                employeeId: HIRED,
                accountId: "",
                leaveAccountIds: [],
              },
              as,
            ),
          ),
        ),
        required("CancelCase", (c, caller, key) =>
          call(caller, (as) => client.cancelCase({ ...key, id: c.id, reason: "" }, as)),
        ),
      ],
      stop: () => server.stop(),
    };
  },
};

describeConventions(cases);
