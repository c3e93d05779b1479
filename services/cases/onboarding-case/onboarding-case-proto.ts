import { Role } from "../../../generated/proto/hr/identity/v1/account_service.js";
import {
  CaseState,
  type NewHire as NewHireMessage,
  type OnboardingCase as OnboardingCaseMessage,
  Step,
} from "../../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { LeaveType } from "../../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { invalidArgument } from "../../../runtime/domain/domain-error.js";
import { etagOf } from "../../../runtime/domain/etag.js";
import type { NewHire } from "./new-hire.js";
import type { OnboardingCase, CaseState as State, Step as StepName, StepRecord } from "./onboarding-case.js";

const STEP_TO_PROTO: Record<StepName, Step> = {
  hire_employee: Step.STEP_HIRE_EMPLOYEE,
  create_login: Step.STEP_CREATE_LOGIN,
  open_leave_accounts: Step.STEP_OPEN_LEAVE_ACCOUNTS,
  notify: Step.STEP_NOTIFY,
};
const STATE_TO_PROTO: Record<State, CaseState> = {
  in_progress: CaseState.CASE_STATE_IN_PROGRESS,
  stopped: CaseState.CASE_STATE_STOPPED,
  completed: CaseState.CASE_STATE_COMPLETED,
  cancelling: CaseState.CASE_STATE_CANCELLING,
  cancelled: CaseState.CASE_STATE_CANCELLED,
};
const STEP_FROM_PROTO = new Map(Object.entries(STEP_TO_PROTO).map(([name, value]) => [value, name as StepName]));
const STATE_FROM_PROTO = new Map(Object.entries(STATE_TO_PROTO).map(([name, value]) => [value, name as State]));

/** An enum value's name without its prefix, lower-case (ROLE_EMPLOYEE → "employee"); "" for none. */
function nameOf(names: Record<number, string>, value: number, prefix: string): string {
  return (names[value] ?? "").replace(prefix, "").toLowerCase();
}
/** The enum value of a name nameOf gave ("employee" → ROLE_EMPLOYEE). */
function enumValueOf<E>(names: Record<string, E | string>, name: string, prefix: string): E {
  return names[`${prefix}${name.toUpperCase()}`] as E;
}

/** A new hire as the domain checks it: enum values by name, unknown ones kept as given to be refused. */
export function newHireOf(message: NewHireMessage | undefined): NewHire {
  const m = message ?? ({} as Partial<NewHireMessage>);
  return {
    givenName: m.givenName ?? "",
    familyName: m.familyName ?? "",
    workEmail: m.workEmail ?? "",
    jobTitle: m.jobTitle ?? "",
    departmentId: m.departmentId ?? "",
    managerId: m.managerId ?? "",
    startDate: m.startDate ?? "",
    loginName: m.loginName ?? "",
    roles: (m.roles ?? []).map((role) => nameOf(Role, role, "ROLE_") || `role ${role}`),
    leaveEntitlements: (m.leaveEntitlements ?? []).map((e) => ({
      leaveType: nameOf(LeaveType, e.leaveType, "LEAVE_TYPE_") || `type ${e.leaveType}`,
      entitlementHalfDays: e.entitlementHalfDays,
    })),
  };
}

export function toNewHireMessage(h: NewHire): NewHireMessage {
  return {
    ...h,
    roles: h.roles.map((role) => enumValueOf<Role>(Role, role, "ROLE_")),
    leaveEntitlements: h.leaveEntitlements.map((e) => ({
      leaveType: enumValueOf<LeaveType>(LeaveType, e.leaveType, "LEAVE_TYPE_"),
      entitlementHalfDays: e.entitlementHalfDays,
    })),
  };
}

export function toCaseMessage(c: OnboardingCase): OnboardingCaseMessage {
  return {
    id: c.id,
    newHire: toNewHireMessage(c.newHire),
    applicationId: c.applicationId ?? "",
    state: STATE_TO_PROTO[c.state],
    currentStep: c.currentStep === null ? Step.STEP_UNSPECIFIED : STEP_TO_PROTO[c.currentStep],
    steps: c.steps.map(toStepMessage),
    attempts: c.attempts,
    lastError: c.lastError
      ? {
          ...c.lastError,
          step: c.lastError.step === null ? Step.STEP_UNSPECIFIED : STEP_TO_PROTO[c.lastError.step],
          time: new Date(c.lastError.time),
        }
      : undefined,
    nextAttemptTime: c.nextAttemptTime === null ? undefined : new Date(c.nextAttemptTime),
    revision: c.revision,
    cancelReason: c.cancelReason,
    etag: etagOf(c.version),
    createTime: new Date(c.createTime),
    updateTime: new Date(c.updateTime),
  };
}

function toStepMessage(s: StepRecord) {
  return {
    step: STEP_TO_PROTO[s.step],
    done: s.doneTime !== null,
    doneTime: s.doneTime === null ? undefined : new Date(s.doneTime),
    employeeId: s.employeeId,
    accountId: s.accountId,
    leaveAccountIds: s.leaveAccountIds,
  };
}

/** A step a command names: UNSPECIFIED and values this server does not know are INVALID_ARGUMENT. */
export function stepOf(field: string, step: Step): StepName {
  const match = STEP_FROM_PROTO.get(step);
  if (match === undefined) throw invalidArgument([{ field, description: "must be a known step" }]);
  return match;
}

/** A failed step: UNSPECIFIED (null) is the compensation of a cancel. */
export function failedStepOf(field: string, step: Step): StepName | null {
  return step === Step.STEP_UNSPECIFIED ? null : stepOf(field, step);
}

/** A list's state filter: each value must be a known state. */
export function statesOf(field: string, states: readonly CaseState[]): State[] {
  return states.map((state, i) => {
    const match = STATE_FROM_PROTO.get(state);
    if (match === undefined) throw invalidArgument([{ field: `${field}[${i}]`, description: "must be a known state" }]);
    return match;
  });
}
