import { randomUUID } from "node:crypto";
import {
  type Application,
  ApplicationStage,
  type ListApplicationsRequest,
  type SubmitApplicationRequest,
} from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { startTalent } from "../support/talent-under-test.js";
import { type ContextAdapter, required } from "./adapter.js";
import { describeConventions } from "./suite.js";

// The conventions (tenancy, request ids, etags, paging) in the candidacy context.
// Run alone: npx vitest run test/conventions/candidacy.test.ts

type Filter = Partial<Pick<ListApplicationsRequest, "stage" | "jobOpeningId">>;
const { APPLICATION_STAGE_APPLIED: APPLIED, APPLICATION_STAGE_SCREENING: SCREENING } = ApplicationStage;
const FORWARD = [
  APPLIED,
  SCREENING,
  ApplicationStage.APPLICATION_STAGE_INTERVIEW,
  ApplicationStage.APPLICATION_STAGE_OFFER,
];

const applications: ContextAdapter<Application, SubmitApplicationRequest, Filter> = {
  context: "candidacy",
  noun: "application",
  async start() {
    const talent = await startTalent();
    const client = talent.applications;
    const command = (a: Application, key: { requestId: string; etag: string }) => ({ ...key, id: a.id, note: "" });
    return {
      field: "application",
      notFoundReason: "APPLICATION_NOT_FOUND",
      createRequest: () => ({
        requestId: randomUUID(),
        jobOpeningId: randomUUID(),
        candidateName: "Ada Lovelace",
        candidateEmail: `ada.${randomUUID().slice(0, 8)}@example.com`,
      }),
      otherPayloads: (request) => [
        { ...request, candidateName: "Someone else" },
        { ...request, jobOpeningId: randomUUID() },
      ],
      create: (request, caller) => client.submitApplication(request, caller),
      get: async (id, caller) => (await client.getApplication({ id }, caller)).application!,
      list: async (caller, page, filter = {}) => {
        const { applications, nextPageToken } = await client.listApplications({ ...page, ...filter }, caller);
        return { items: applications, nextPageToken };
      },
      filter: { stage: APPLIED },
      otherFilters: [{ stage: SCREENING }, { stage: APPLIED, jobOpeningId: randomUUID() }],
      // One stage forward: it runs again on the stage it leads to (up to OFFER).
      change: required("AdvanceApplication", (a, caller, key, variant = 0) => {
        const toStage = FORWARD[FORWARD.indexOf(a.stage) + 1] ?? ApplicationStage.APPLICATION_STAGE_HIRED;
        return client.advanceApplication({ ...command(a, key), toStage, note: `move ${variant}` }, caller);
      }),
      commands: [
        required("RejectApplication", (a, caller, key) => client.rejectApplication(command(a, key), caller)),
        required("WithdrawApplication", (a, caller, key) => client.withdrawApplication(command(a, key), caller)),
      ],
      stop: () => talent.stop(),
    };
  },
};

describeConventions(applications);
