import {
  type Application as ApplicationMessage,
  ApplicationStage,
  type StageChange as StageChangeMessage,
} from "../../../generated/proto/hr/candidacy/v1/application_service.js";
import { invalidArgument } from "../../../runtime/domain/domain-error.js";
import { etagOf } from "../../../runtime/domain/etag.js";
import type { Application, ApplicationStage as Stage, StageChange } from "./application.js";

const STAGE_TO_PROTO: Record<Stage, ApplicationStage> = {
  applied: ApplicationStage.APPLICATION_STAGE_APPLIED,
  screening: ApplicationStage.APPLICATION_STAGE_SCREENING,
  interview: ApplicationStage.APPLICATION_STAGE_INTERVIEW,
  offer: ApplicationStage.APPLICATION_STAGE_OFFER,
  hired: ApplicationStage.APPLICATION_STAGE_HIRED,
  rejected: ApplicationStage.APPLICATION_STAGE_REJECTED,
  withdrawn: ApplicationStage.APPLICATION_STAGE_WITHDRAWN,
};

const STAGE_FROM_PROTO = new Map(Object.entries(STAGE_TO_PROTO).map(([stage, value]) => [value, stage as Stage]));

/** The aggregate as clients see it, history included. */
export function toApplicationMessage(a: Application): ApplicationMessage {
  return {
    id: a.id,
    jobOpeningId: a.jobOpeningId,
    candidateName: a.candidateName,
    candidateEmail: a.candidateEmail,
    stage: STAGE_TO_PROTO[a.stage],
    history: a.history.map(toStageChangeMessage),
    etag: etagOf(a.version),
    createTime: new Date(a.createTime),
    updateTime: new Date(a.updateTime),
  };
}

function toStageChangeMessage(c: StageChange): StageChangeMessage {
  return {
    fromStage: c.fromStage === null ? ApplicationStage.APPLICATION_STAGE_UNSPECIFIED : STAGE_TO_PROTO[c.fromStage],
    toStage: STAGE_TO_PROTO[c.toStage],
    actor: c.actor,
    changeTime: new Date(c.changeTime),
    note: c.note,
  };
}

/** A stage filter: UNSPECIFIED means any; a value this server does not know is INVALID_ARGUMENT. */
export function stageFilter(field: string, stage: ApplicationStage): Stage | undefined {
  return stage === ApplicationStage.APPLICATION_STAGE_UNSPECIFIED ? undefined : requiredStage(field, stage);
}

/** A stage a command names: UNSPECIFIED and values this server does not know are INVALID_ARGUMENT. */
export function requiredStage(field: string, stage: ApplicationStage): Stage {
  const match = STAGE_FROM_PROTO.get(stage);
  if (match === undefined) throw invalidArgument([{ field, description: "must be a known application stage" }]);
  return match;
}
