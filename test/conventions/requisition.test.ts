import { randomUUID } from "node:crypto";
import {
  CloseOutcome,
  type CreateJobOpeningRequest,
  type JobOpening,
  JobOpeningStatus,
  type ListJobOpeningsRequest,
} from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import { startTalent } from "../support/talent-under-test.js";
import { type ContextAdapter, required } from "./adapter.js";
import { describeConventions } from "./suite.js";

// The conventions (tenancy, request ids, etags, paging) in the requisition context.
// Run alone: npx vitest run test/conventions/requisition.test.ts

type Filter = Partial<Pick<ListJobOpeningsRequest, "status" | "departmentId">>;
const { JOB_OPENING_STATUS_DRAFT: DRAFT, JOB_OPENING_STATUS_OPEN: OPEN } = JobOpeningStatus;

const jobOpenings: ContextAdapter<JobOpening, CreateJobOpeningRequest, Filter> = {
  context: "requisition",
  noun: "job opening",
  async start() {
    const talent = await startTalent();
    const client = talent.jobOpenings;
    return {
      field: "jobOpening",
      notFoundReason: "JOB_OPENING_NOT_FOUND",
      createRequest: () => ({
        requestId: randomUUID(),
        title: "Backend Engineer",
        departmentId: randomUUID(),
        headcount: 2,
        description: "Build the HR platform.",
      }),
      otherPayloads: (request) => [
        { ...request, headcount: 9 },
        { ...request, description: "" },
      ],
      create: (request, caller) => client.createJobOpening(request, caller),
      get: async (id, caller) => (await client.getJobOpening({ id }, caller)).jobOpening!,
      list: async (caller, page, filter = {}) => {
        const { jobOpenings, nextPageToken } = await client.listJobOpenings({ ...page, ...filter }, caller);
        return { items: jobOpenings, nextPageToken };
      },
      filter: { status: DRAFT },
      otherFilters: [{ status: OPEN }, { status: DRAFT, departmentId: randomUUID() }],
      change: required("UpdateJobOpening", (o, caller, { requestId, etag }, variant = 0) =>
        client.updateJobOpening(
          { requestId, jobOpening: { ...o, etag, title: `Opening ${variant}` }, updateMask: ["title"] },
          caller,
        ),
      ),
      commands: [
        required("OpenJobOpening", (o, caller, key) => client.openJobOpening({ ...key, id: o.id }, caller)),
        required("HoldJobOpening", (o, caller, key) => client.holdJobOpening({ ...key, id: o.id }, caller)),
        required("CloseJobOpening", (o, caller, key) =>
          client.closeJobOpening({ ...key, id: o.id, outcome: CloseOutcome.CLOSE_OUTCOME_CLOSED }, caller),
        ),
      ],
      stop: () => talent.stop(),
    };
  },
};

describeConventions(jobOpenings);
