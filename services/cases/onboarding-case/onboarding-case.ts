import { ErrorReason } from "../../../generated/proto/hr/onboardingcase/v1/error_reason.js";
import { failedPrecondition } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import { checkNewHire, type NewHire } from "./new-hire.js";

/**
 * OnboardingCase, the aggregate root of the onboardingcase context: one
 * person to onboard and the steps that do it, run by the process manager of
 * apps/onboarding, which reports each outcome here. Pure: every command
 * returns a new case and leaves its input as it was.
 */

export type CaseState = "in_progress" | "stopped" | "completed" | "cancelling" | "cancelled";
export type Step = "hire_employee" | "create_login" | "open_leave_accounts" | "notify";

/** The steps in the order they run. */
export const STEPS: readonly Step[] = ["hire_employee", "create_login", "open_leave_accounts", "notify"];
export const CASE_STATES: readonly CaseState[] = ["in_progress", "stopped", "completed", "cancelling", "cancelled"];

export interface StepRecord {
  step: Step;
  doneTime: string | null;
  employeeId: string;
  accountId: string;
  leaveAccountIds: string[];
}

export interface StepError {
  /** null: the compensation of a cancel. */
  step: Step | null;
  reason: string;
  message: string;
  permanent: boolean;
  time: string;
}

export interface OnboardingCase {
  id: string;
  tenantId: string;
  newHire: NewHire;
  applicationId: string | null;
  state: CaseState;
  currentStep: Step | null;
  steps: StepRecord[];
  attempts: number;
  lastError: StepError | null;
  nextAttemptTime: string | null;
  revision: number;
  cancelReason: string;
  version: number;
  createTime: string;
  updateTime: string;
}

/** What a step produced, as the process manager reports it. */
export interface StepOutcome {
  employeeId: string;
  accountId: string;
  leaveAccountIds: string[];
}

export interface StepFailure {
  step: Step | null;
  reason: string;
  message: string;
  permanent: boolean;
  retryTime: string | null;
}

const subject = (id: string): string => `onboardingCases/${id}`;
const shown = (value: string | null): string => (value ?? "none").toUpperCase();

export function openCase(
  input: { id: string; tenantId: string; newHire: NewHire; applicationId: string },
  now: string,
): OnboardingCase {
  const checks = new FieldChecks();
  const newHire = checkNewHire(checks, input.newHire, "new_hire");
  const applicationId = input.applicationId.toLowerCase();
  checks.optionalUuid("application_id", applicationId);
  checks.throwIfAny();
  return {
    id: input.id,
    tenantId: input.tenantId,
    newHire,
    applicationId: applicationId === "" ? null : applicationId,
    state: "in_progress",
    currentStep: "hire_employee",
    steps: STEPS.map((step) => ({ step, doneTime: null, employeeId: "", accountId: "", leaveAccountIds: [] })),
    attempts: 0,
    lastError: null,
    nextAttemptTime: now,
    revision: 0,
    cancelReason: "",
    version: 1,
    createTime: now,
    updateTime: now,
  };
}

/** The step in progress succeeded: on to the next one (due now), or COMPLETED after the last. */
export function recordStepDone(c: OnboardingCase, step: Step, outcome: StepOutcome, now: string): OnboardingCase {
  requireCurrentStep(c, step);
  const checks = new FieldChecks();
  if (step === "hire_employee") checks.uuid("employee_id", outcome.employeeId);
  if (step === "create_login") checks.uuid("account_id", outcome.accountId);
  if (step === "open_leave_accounts") {
    const expected = c.newHire.leaveEntitlements.length;
    if (checks.check("leave_account_ids", outcome.leaveAccountIds.length === expected, `must hold ${expected} ids`)) {
      checks.uuids("leave_account_ids", outcome.leaveAccountIds, expected);
    }
  }
  checks.throwIfAny();
  const produced = {
    employeeId: step === "hire_employee" ? outcome.employeeId.toLowerCase() : "",
    accountId: step === "create_login" ? outcome.accountId.toLowerCase() : "",
    leaveAccountIds: step === "open_leave_accounts" ? outcome.leaveAccountIds.map((id) => id.toLowerCase()) : [],
  };
  const steps = c.steps.map((s) => (s.step === step ? { ...s, ...produced, doneTime: now } : s));
  const next = STEPS[STEPS.indexOf(step) + 1] ?? null;
  const completed = next === null;
  return {
    ...c,
    steps,
    currentStep: next,
    state: completed ? "completed" : "in_progress",
    attempts: 0,
    lastError: completed ? null : c.lastError,
    nextAttemptTime: completed ? null : now,
    ...bump(c, now),
  };
}

/**
 * An attempt failed. Transient: the case stays where it is, due again at
 * `retryTime`. Permanent: the case stops until HR resumes it. A cancelling
 * case never stops: undoing must finish, so its failures are all retried.
 */
export function recordStepFailed(c: OnboardingCase, failure: StepFailure, now: string): OnboardingCase {
  const cancelling = c.state === "cancelling";
  if (cancelling) {
    if (failure.step !== null) throw stateConflict(c, "record a step's failure of");
  } else {
    requireCurrentStep(c, failure.step);
  }
  const checks = new FieldChecks();
  const reason = failure.reason.trim();
  checks.text("reason", reason, { min: 1, max: 100 });
  const message = failure.message.trim();
  checks.text("message", message, { min: 1, max: 1000 });
  const stops = failure.permanent && !cancelling;
  checks.check("retry_time", stops || failure.retryTime !== null, "is required for a transient failure");
  checks.throwIfAny();
  const lastError: StepError = { step: failure.step, reason, message, permanent: stops, time: now };
  return {
    ...c,
    state: stops ? "stopped" : c.state,
    attempts: c.attempts + 1,
    lastError,
    nextAttemptTime: stops ? null : failure.retryTime,
    ...bump(c, now),
  };
}

/** HR corrected the details: IN_PROGRESS again from the step that stopped, as a new revision. */
export function resumeCase(c: OnboardingCase, newHire: NewHire, now: string): OnboardingCase {
  if (c.state !== "stopped") throw stateConflict(c, "resume");
  const checks = new FieldChecks();
  const corrected = checkNewHire(checks, newHire, "new_hire");
  const opened = c.steps.find((s) => s.step === "open_leave_accounts")?.doneTime !== null;
  checks.check(
    "new_hire.leave_entitlements",
    !opened || sameEntitlements(corrected, c.newHire),
    "cannot change once the leave accounts are opened",
  );
  checks.throwIfAny();
  return {
    ...c,
    newHire: corrected,
    state: "in_progress",
    attempts: 0,
    nextAttemptTime: now,
    revision: c.revision + 1,
    ...bump(c, now),
  };
}

/** Cancels a case not finished yet: CANCELLING, due now, until the process manager has undone its steps. */
export function cancelCase(c: OnboardingCase, reason: string, now: string): OnboardingCase {
  if (c.state !== "in_progress" && c.state !== "stopped") throw stateConflict(c, "cancel");
  const checks = new FieldChecks();
  const cancelReason = reason.trim();
  checks.text("reason", cancelReason, { min: 0, max: 1000 });
  checks.throwIfAny();
  return { ...c, state: "cancelling", cancelReason, attempts: 0, nextAttemptTime: now, ...bump(c, now) };
}

/** The compensation of a cancelling case is done. */
export function completeCancellation(c: OnboardingCase, now: string): OnboardingCase {
  if (c.state !== "cancelling") throw stateConflict(c, "complete the cancellation of");
  return { ...c, state: "cancelled", currentStep: null, nextAttemptTime: null, ...bump(c, now) };
}

function requireCurrentStep(c: OnboardingCase, step: Step | null): void {
  if (c.state !== "in_progress") throw stateConflict(c, "record a step of");
  if (step !== c.currentStep) {
    const message = `onboarding case ${c.id} is at ${shown(c.currentStep)}, not ${shown(step)}`;
    throw failedPrecondition(ErrorReason.NOT_THE_CURRENT_STEP, subject(c.id), message);
  }
}

function stateConflict(c: OnboardingCase, action: string): Error {
  const message = `cannot ${action} onboarding case ${c.id}: it is ${shown(c.state)}`;
  return failedPrecondition(ErrorReason.CASE_STATE_CONFLICT, subject(c.id), message);
}

function sameEntitlements(a: NewHire, b: NewHire): boolean {
  return JSON.stringify(a.leaveEntitlements) === JSON.stringify(b.leaveEntitlements);
}

function bump(c: OnboardingCase, now: string) {
  return { version: c.version + 1, updateTime: now };
}
