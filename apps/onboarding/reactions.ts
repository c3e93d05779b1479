import { Status } from "nice-grpc";
import type { Logger } from "pino";
import { ApplicationAccepted } from "../../generated/proto/hr/candidacy/v1/application_events.js";
import { EmployeeTerminated } from "../../generated/proto/hr/employee/v1/employee_events.js";
import { LoginCreated } from "../../generated/proto/hr/identity/v1/account_events.js";
import { Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { LeaveRequestDecided } from "../../generated/proto/hr/timeoff/v1/leave_account_events.js";
import { LeaveRequestStatus, LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { Env } from "../../runtime/config.js";
import { type Event, on, type RunningConsumer, requestIdFor, startConsumer } from "../../runtime/events/consumer.js";
import { readEventsSettings } from "../../runtime/events/events-config.js";
import { offboardEmployee } from "./offboarding.js";
import type { OnboardingClients } from "./onboarding-clients.js";
import type { ServiceIdentity } from "./service-identity.js";
import { failedWith } from "./step-failures.js";

export interface ReactionsOptions {
  clients: OnboardingClients;
  identity: ServiceIdentity;
  /** Wakes the worker when a case was opened. */
  nudge(): void;
  /** Annual leave opened for a person hired from an application, in half days. */
  annualLeaveHalfDays: number;
  logger: Logger;
  env?: Env;
}

/**
 * The app's one consumer, `onboarding`: what it does when other contexts
 * report something. Every command it issues carries a request id derived
 * from the event, so a redelivered event replays instead of acting twice.
 * Without an events database (EVENTS_DATABASE_URL unset) nothing is
 * consumed, and onboardings start only from HR's StartOnboarding.
 */
export async function startReactions(o: ReactionsOptions): Promise<RunningConsumer | undefined> {
  if (readEventsSettings(o.env).databaseUrl === undefined) {
    o.logger.warn("EVENTS_DATABASE_URL is unset: onboarding reacts to no event");
    return undefined;
  }
  const handlers = [
    on("hr.candidacy.v1.ApplicationAccepted", ApplicationAccepted, (accepted, event, signal) =>
      openCaseFromApplication(o, accepted, event, signal),
    ),
    on("hr.identity.v1.LoginCreated", LoginCreated, (created, event, signal) =>
      notifyLoginCreated(o, created, event, signal),
    ),
    on("hr.timeoff.v1.LeaveRequestDecided", LeaveRequestDecided, (decided, event, signal) =>
      notifyLeaveDecided(o, decided, event, signal),
    ),
    on("hr.employee.v1.EmployeeTerminated", EmployeeTerminated, async (terminated, event, signal) => {
      const termination = {
        tenantId: event.tenantId,
        employeeId: terminated.employeeId,
        lastDay: terminated.effectiveDate,
        eventId: event.eventId,
      };
      await offboardEmployee(o.clients, termination, (tenantId) => o.identity.callOptions(tenantId, signal));
    }),
  ];
  const streams = ["talent", "identity", "timeoff", "people"] as const;
  return startConsumer({ name: "onboarding", streams, handlers, logger: o.logger, env: o.env });
}

/**
 * An accepted candidate becomes an onboarding case: their name and email
 * (work email and login name alike, until HR says otherwise with
 * RetryOnboarding), the opening's job title and department, starting on the
 * day of the acceptance, with the employee role and the annual leave the
 * configuration grants. One case per application: a repeat is ALREADY_EXISTS.
 */
async function openCaseFromApplication(o: ReactionsOptions, a: ApplicationAccepted, event: Event, signal: AbortSignal) {
  const options = await o.identity.callOptions(event.tenantId, signal);
  const { jobOpening } = await o.clients.jobOpenings.getJobOpening({ id: a.jobOpeningId }, options);
  const startDate = (event.occurredAt ?? new Date()).toISOString().slice(0, 10);
  const newHire = {
    givenName: a.givenName,
    familyName: a.familyName,
    workEmail: a.candidateEmail,
    jobTitle: jobOpening?.title ?? "",
    departmentId: jobOpening?.departmentId ?? "",
    managerId: "",
    startDate,
    loginName: a.candidateEmail,
    roles: [Role.ROLE_EMPLOYEE],
    leaveEntitlements: [{ leaveType: LeaveType.LEAVE_TYPE_ANNUAL, entitlementHalfDays: o.annualLeaveHalfDays }],
  };
  const request = { requestId: requestIdFor(event.eventId, "open-case"), newHire, applicationId: a.applicationId };
  try {
    await o.clients.cases.openCase(request, options);
  } catch (error) {
    if (!failedWith(error, Status.ALREADY_EXISTS, "CASE_EXISTS_FOR_APPLICATION")) throw error;
  }
  o.nudge();
}

async function notifyLoginCreated(o: ReactionsOptions, created: LoginCreated, event: Event, signal: AbortSignal) {
  // A login of no employee (an external administrator) has no inbox to tell.
  if (created.employeeId === "") return;
  await o.clients.notifications.sendNotification(
    {
      requestId: requestIdFor(event.eventId, "notify/login-created"),
      recipientEmployeeId: created.employeeId,
      kind: NotificationKind.NOTIFICATION_KIND_LOGIN_CREATED,
      title: "Your login is ready",
      body: `You sign in as ${created.loginName}.`,
      subject: `accounts/${created.accountId}`,
    },
    await o.identity.callOptions(event.tenantId, signal),
  );
}

async function notifyLeaveDecided(o: ReactionsOptions, d: LeaveRequestDecided, event: Event, signal: AbortSignal) {
  const approved = d.decision === LeaveRequestStatus.LEAVE_REQUEST_STATUS_APPROVED;
  const days = d.amountHalfDays / 2;
  await o.clients.notifications.sendNotification(
    {
      requestId: requestIdFor(event.eventId, "notify/leave-decided"),
      recipientEmployeeId: d.employeeId,
      kind: NotificationKind.NOTIFICATION_KIND_LEAVE_DECIDED,
      title: `Your leave was ${approved ? "approved" : "rejected"}`,
      body: `Leave from ${d.startDate} to ${d.endDate} (${days} ${days === 1 ? "day" : "days"}) was ${approved ? "approved" : "rejected"}.`,
      subject: `leaveAccounts/${d.leaveAccountId}/requests/${d.leaveRequestId}`,
    },
    await o.identity.callOptions(event.tenantId, signal),
  );
}
