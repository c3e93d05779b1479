import { type CallOptions, Status } from "nice-grpc";
import { EmployeeStatus } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { AccountStatus, Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import type { NewHire, OnboardingCase } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { Step } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { requestIdFor } from "../../runtime/events/consumer.js";
import { initialPasswordOf, type LoginSecret } from "./login-password.js";
import type { OnboardingClients } from "./onboarding-clients.js";
import { failedWith, StepRefused } from "./step-failures.js";

/** What a step produced, as RecordStepDone takes it. */
export interface StepOutcome {
  employeeId: string;
  accountId: string;
  leaveAccountIds: string[];
}

export interface StepContext {
  clients: OnboardingClients;
  loginSecret: LoginSecret;
  options: CallOptions;
}

const NOTHING: StepOutcome = { employeeId: "", accountId: "", leaveAccountIds: [] };

/**
 * The request id of a step's command: derived from the case, its revision
 * and the step, so running the step again after a crash (or on another
 * replica) is a replay of the first command, while a step retried with
 * corrected details (a new revision) is a new request.
 */
export function stepRequestId(c: OnboardingCase, what: string): string {
  return requestIdFor(c.id, `r${c.revision}/${what}`);
}

/** The employee the hire step produced. */
export function hiredEmployeeId(c: OnboardingCase): string {
  return c.steps.find((s) => s.step === Step.STEP_HIRE_EMPLOYEE)?.employeeId ?? "";
}

/** Runs the case's current step: one command (or a few) to the data service that owns it. */
export function runStep(c: OnboardingCase, context: StepContext): Promise<StepOutcome> {
  const hire = c.newHire as NewHire;
  switch (c.currentStep) {
    case Step.STEP_HIRE_EMPLOYEE:
      return hireEmployee(c, hire, context);
    case Step.STEP_CREATE_LOGIN:
      return createLogin(c, hire, context);
    case Step.STEP_OPEN_LEAVE_ACCOUNTS:
      return openLeaveAccounts(c, hire, context);
    case Step.STEP_NOTIFY:
      return notify(c, hire, context);
    default:
      throw new Error(`onboarding case ${c.id} has no step to run`);
  }
}

async function hireEmployee(c: OnboardingCase, hire: NewHire, { clients, options }: StepContext) {
  const { givenName, familyName, workEmail, jobTitle, departmentId, managerId, startDate } = hire;
  const request = { requestId: stepRequestId(c, "hire"), givenName, familyName, workEmail, jobTitle };
  const { employee } = await clients.employees.hireEmployee(
    { ...request, departmentId, managerId, hireDate: startDate },
    options,
  );
  return { ...NOTHING, employeeId: employee?.id ?? "" };
}

/**
 * The login, linked to the hired employee: this is where a login's employee
 * link is checked (identity cannot, it calls no other service). Its first
 * password is derived, not chosen: nobody knows it, and HR sets the one the
 * person signs in with (ChangePassword, an administrator's reset). A login
 * of the employee with the case's name is taken as this step's own, from an
 * attempt whose record was lost.
 */
async function createLogin(c: OnboardingCase, hire: NewHire, context: StepContext) {
  const { clients, options, loginSecret } = context;
  const employeeId = hiredEmployeeId(c);
  const { employee } = await clients.employees.getEmployee({ id: employeeId }, options);
  if (employee?.status === EmployeeStatus.EMPLOYEE_STATUS_TERMINATED) {
    throw new StepRefused("EMPLOYEE_TERMINATED", `employee ${employeeId} is terminated: no login is linked to them`);
  }
  // A login this case created already (an earlier attempt whose record was
  // lost) is the step's outcome, even if the first password's key changed since.
  const existing = await loginOf(employeeId, hire, context);
  if (existing !== undefined) return { ...NOTHING, accountId: existing };
  const request = {
    requestId: stepRequestId(c, "create-login"),
    loginName: hire.loginName,
    employeeId,
    displayName: `${hire.givenName} ${hire.familyName}`,
    roles: hire.roles,
    initialPassword: initialPasswordOf(loginSecret, c.id, c.revision),
  };
  try {
    const { account } = await clients.accounts.createAccount(request, options);
    return { ...NOTHING, accountId: account?.id ?? "" };
  } catch (error) {
    // Another runner, with another key (a rotation), sent this request first: its login is the outcome.
    const reused = failedWith(error, Status.INVALID_ARGUMENT, "REQUEST_ID_REUSED");
    const created = reused ? await loginOf(employeeId, hire, context) : undefined;
    if (created === undefined) throw error;
    return { ...NOTHING, accountId: created };
  }
}

/**
 * The id of the employee's login when it is the one the case asks for; a
 * login of the employee under another name is the step's refusal (one login
 * per employee).
 */
async function loginOf(employeeId: string, hire: NewHire, { clients, options }: StepContext) {
  const filter = { status: AccountStatus.ACCOUNT_STATUS_UNSPECIFIED, role: Role.ROLE_UNSPECIFIED };
  const listed = await clients.accounts.listAccounts({ ...filter, pageSize: 1, pageToken: "", employeeId }, options);
  const existing = listed.accounts[0];
  if (existing === undefined || existing.loginName === hire.loginName) return existing?.id;
  throw new StepRefused(
    "EMPLOYEE_ALREADY_HAS_LOGIN",
    `employee ${employeeId} already has a login (${existing.loginName}): one login per employee`,
  );
}

/** One account per entitlement, for the year of the start date, in the case's order. */
async function openLeaveAccounts(c: OnboardingCase, hire: NewHire, { clients, options }: StepContext) {
  const employeeId = hiredEmployeeId(c);
  const year = Number(hire.startDate.slice(0, 4));
  const leaveAccountIds: string[] = [];
  for (const { leaveType, entitlementHalfDays } of hire.leaveEntitlements) {
    const requestId = stepRequestId(c, `open-leave/${leaveType}`);
    const request = { requestId, employeeId, leaveType, year, entitlementHalfDays };
    const { leaveAccount } = await clients.leaveAccounts.openLeaveAccount(request, options);
    leaveAccountIds.push(leaveAccount?.id ?? "");
  }
  return { ...NOTHING, leaveAccountIds };
}

/** A welcome to the person, and a word to their manager when they have one. */
async function notify(c: OnboardingCase, hire: NewHire, { clients, options }: StepContext) {
  const employeeId = hiredEmployeeId(c);
  const subject = `employees/${employeeId}`;
  const role = hire.jobTitle === "" ? "" : ` as ${hire.jobTitle}`;
  await clients.notifications.sendNotification(
    {
      requestId: stepRequestId(c, "notify/welcome"),
      recipientEmployeeId: employeeId,
      kind: NotificationKind.NOTIFICATION_KIND_WELCOME,
      title: `Welcome, ${hire.givenName}!`,
      body: `Your first day${role} is ${hire.startDate}. You sign in as ${hire.loginName}.`,
      subject,
    },
    options,
  );
  if (hire.managerId !== "") {
    await clients.notifications.sendNotification(
      {
        requestId: stepRequestId(c, "notify/manager"),
        recipientEmployeeId: hire.managerId,
        kind: NotificationKind.NOTIFICATION_KIND_NEW_REPORT,
        title: `${hire.givenName} ${hire.familyName} joins your team`,
        body: `${hire.givenName} ${hire.familyName} starts${role} on ${hire.startDate}.`,
        subject,
      },
      options,
    );
  }
  return NOTHING;
}
