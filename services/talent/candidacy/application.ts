import { ErrorReason } from "../../../generated/proto/hr/candidacy/v1/error_reason.js";
import { failedPrecondition } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";

/**
 * Application, the aggregate root of the candidacy context: one candidate's
 * application to one job opening (known here only by its id), moving
 * applied → screening → interview → offer → hired one step at a time, or
 * ending as rejected or withdrawn from any stage before that. Every stage
 * change is appended to `history` with its actor, time and note. Pure: the
 * caller passes the actor (from the verified token) and `now`; every command
 * returns a new object and leaves its input as it was (the repository saves
 * only the history entries past the loaded ones).
 */

export type ApplicationStage = "applied" | "screening" | "interview" | "offer" | "hired" | "rejected" | "withdrawn";

/** Every stage, in the order of the proto enum. */
export const APPLICATION_STAGES: readonly ApplicationStage[] = [
  "applied",
  "screening",
  "interview",
  "offer",
  "hired",
  "rejected",
  "withdrawn",
];

export interface StageChange {
  /** null for the submission, the first entry. */
  fromStage: ApplicationStage | null;
  toStage: ApplicationStage;
  /** User id of who made the change, from the caller's verified token. */
  actor: string;
  changeTime: string;
  note: string;
}

export interface Application {
  id: string;
  tenantId: string;
  jobOpeningId: string;
  candidateName: string;
  candidateEmail: string;
  stage: ApplicationStage;
  /** Oldest first; the last entry's `toStage` is `stage`. */
  history: StageChange[];
  version: number;
  createTime: string;
  updateTime: string;
}

export interface NewApplication {
  id: string;
  tenantId: string;
  jobOpeningId: string;
  candidateName: string;
  candidateEmail: string;
}

/** Who moves an application, and why. */
export interface Move {
  actor: string;
  note: string;
}

/** The next stage of each stage on the way to hired; the other moves are the two endings. */
const FORWARD: Partial<Record<ApplicationStage, ApplicationStage>> = {
  applied: "screening",
  screening: "interview",
  interview: "offer",
  offer: "hired",
};
const FINAL: ReadonlySet<ApplicationStage> = new Set(["hired", "rejected", "withdrawn"]);

/** The stage machine: a step forward, or an ending, from any stage that is not final. */
export function isLegalMove(from: ApplicationStage, to: ApplicationStage): boolean {
  return !FINAL.has(from) && (to === FORWARD[from] || to === "rejected" || to === "withdrawn");
}

const subject = (id: string): string => `applications/${id}`;
/** Stages in messages as clients know them from the proto (APPLIED, OFFER, ...). */
const shown = (stage: ApplicationStage): string => stage.toUpperCase();

export function submitApplication(input: NewApplication, actor: string, now: string): Application {
  const checks = new FieldChecks();
  const jobOpeningId = input.jobOpeningId.toLowerCase();
  checks.uuid("job_opening_id", input.jobOpeningId);
  const candidateName = input.candidateName.trim();
  checks.text("candidate_name", candidateName, { min: 1, max: 200 });
  const candidateEmail = input.candidateEmail.trim().toLowerCase();
  checks.email("candidate_email", candidateEmail);
  checks.throwIfAny();
  const { id, tenantId } = input;
  const submitted: StageChange = { fromStage: null, toStage: "applied", actor, changeTime: now, note: "" };
  const candidate = { jobOpeningId, candidateName, candidateEmail };
  return {
    id,
    tenantId,
    ...candidate,
    stage: "applied",
    history: [submitted],
    version: 1,
    createTime: now,
    updateTime: now,
  };
}

/** One step towards hired; `to` names the step so that a client acting on an outdated view is refused. */
export function advanceApplication(a: Application, to: ApplicationStage, move: Move, now: string): Application {
  const checks = new FieldChecks();
  const ending = to === "rejected" || to === "withdrawn";
  checks.check(
    "to_stage",
    !ending,
    "must be a stage on the way to HIRED; rejecting and withdrawing have their own commands",
  );
  const note = checkNote(checks, move.note);
  checks.throwIfAny();
  return moveTo(a, to, move.actor, note, now);
}

/** The tenant turns the candidate down. */
export function rejectApplication(a: Application, move: Move, now: string): Application {
  return end(a, "rejected", move, now);
}

/** The candidate pulls out. */
export function withdrawApplication(a: Application, move: Move, now: string): Application {
  return end(a, "withdrawn", move, now);
}

function end(a: Application, to: "rejected" | "withdrawn", move: Move, now: string): Application {
  const checks = new FieldChecks();
  const note = checkNote(checks, move.note);
  checks.throwIfAny();
  return moveTo(a, to, move.actor, note, now);
}

function moveTo(a: Application, to: ApplicationStage, actor: string, note: string, now: string): Application {
  if (!isLegalMove(a.stage, to)) {
    const next = FORWARD[a.stage];
    const why = FINAL.has(a.stage) ? `: ${shown(a.stage)} is final` : next ? `; the next stage is ${shown(next)}` : "";
    const message = `application ${a.id} cannot move from ${shown(a.stage)} to ${shown(to)}${why}`;
    throw failedPrecondition(ErrorReason.ILLEGAL_STAGE_TRANSITION, subject(a.id), message);
  }
  const change: StageChange = { fromStage: a.stage, toStage: to, actor, changeTime: now, note };
  return { ...a, stage: to, history: [...a.history, change], version: a.version + 1, updateTime: now };
}

/** A note spans lines: line breaks (stored as "\n") and tabs are allowed, other control characters are not. */
function checkNote(checks: FieldChecks, raw: string): string {
  const note = raw.replace(/\r\n?/g, "\n").trim();
  checks.text("note", note.replace(/[\n\t]/g, " "), { min: 0, max: 1000 });
  return note;
}
