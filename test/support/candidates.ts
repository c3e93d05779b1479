import { randomUUID } from "node:crypto";
import {
  type ApplicationServiceDefinition,
  ApplicationStage,
} from "../../generated/proto/hr/candidacy/v1/application_service.js";
import type { JobOpeningServiceDefinition } from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import type { ServiceClient } from "../../runtime/client/service-client.js";
import type { Caller } from "./callers.js";

// How the onboarding tests get a candidate to the point of hiring, as a
// recruiter would, straight to talent: an opening, an application, and the
// application moved stage by stage.

/** Talent's clients, from a test server or a running platform. */
export interface TalentClients {
  jobOpenings: ServiceClient<typeof JobOpeningServiceDefinition>;
  applications: ServiceClient<typeof ApplicationServiceDefinition>;
}

/** A candidate's application for a new opening in `departmentId`, moved to OFFER: the next move, to HIRED, accepts them. */
export async function candidateAtOffer(
  talent: TalentClients,
  recruiter: Caller,
  candidate: { departmentId: string; email: string; name?: string },
) {
  const { jobOpening } = await talent.jobOpenings.createJobOpening(
    {
      requestId: randomUUID(),
      title: "Compiler engineer",
      departmentId: candidate.departmentId,
      headcount: 1,
      description: "",
    },
    recruiter,
  );
  const submitted = await talent.applications.submitApplication(
    {
      requestId: randomUUID(),
      jobOpeningId: jobOpening?.id ?? "",
      candidateName: candidate.name ?? "Grace Hopper",
      candidateEmail: candidate.email,
    },
    recruiter,
  );
  let application = submitted.application;
  for (const toStage of [
    ApplicationStage.APPLICATION_STAGE_SCREENING,
    ApplicationStage.APPLICATION_STAGE_INTERVIEW,
    ApplicationStage.APPLICATION_STAGE_OFFER,
  ]) {
    const move = {
      requestId: randomUUID(),
      id: application?.id ?? "",
      etag: application?.etag ?? "",
      toStage,
      note: "",
    };
    application = (await talent.applications.advanceApplication(move, recruiter)).application;
  }
  return { id: application?.id ?? "", etag: application?.etag ?? "", jobOpening };
}

/** A candidate moved all the way to HIRED: what starts an onboarding by itself. */
export async function acceptCandidate(
  talent: TalentClients,
  recruiter: Caller,
  candidate: { departmentId: string; email: string; name?: string },
) {
  const { id, etag, jobOpening } = await candidateAtOffer(talent, recruiter, candidate);
  const toStage = ApplicationStage.APPLICATION_STAGE_HIRED;
  await talent.applications.advanceApplication({ requestId: randomUUID(), id, etag, toStage, note: "" }, recruiter);
  return { applicationId: id, jobOpening };
}
