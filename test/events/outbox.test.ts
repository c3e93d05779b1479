import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApplicationAccepted } from "../../generated/proto/hr/candidacy/v1/application_events.js";
import { ApplicationStage } from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { EmployeeHired, EmployeeTerminated } from "../../generated/proto/hr/employee/v1/employee_events.js";
import { LoginCreated, LoginDisabled } from "../../generated/proto/hr/identity/v1/account_events.js";
import { Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { LeaveAccountOpened, LeaveRequestDecided } from "../../generated/proto/hr/timeoff/v1/leave_account_events.js";
import { LeaveRequestStatus, LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { SqlDatabase } from "../../runtime/db/sql.js";
import { sql } from "../../runtime/db/sql.js";
import { decodeEvent, type Event, payloadTypeOf } from "../../runtime/events/envelope.js";
import { openDepartment } from "../contexts/employee.fixtures.js";
import { as, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { startTalent, type TalentUnderTest } from "../support/talent-under-test.js";
import { startTimeoff, type TimeoffUnderTest } from "../support/timeoff-under-test.js";

// A command records its domain event in its own transaction: an event with
// every change that reports one, none with a refusal, none again with a
// replayed request id. Checked on the outbox rows of each data service.

let people: PeopleUnderTest;
let talent: TalentUnderTest;
let identity: IdentityUnderTest;
let timeoff: TimeoffUnderTest;

beforeAll(async () => {
  [people, talent, identity, timeoff] = await Promise.all([
    startPeople(),
    startTalent(),
    startIdentity(),
    startTimeoff(),
  ]);
});

afterAll(async () => {
  await Promise.all([people?.stop(), talent?.stop(), identity?.stop(), timeoff?.stop()]);
});

const OUTBOX = sql(`
  SELECT event_id AS "eventId", aggregate_id AS "aggregateId", aggregate_version::int AS "aggregateVersion",
         event_type AS "eventType", payload, published_at AS "publishedAt"
  FROM outbox_event WHERE tenant_id = $1 ORDER BY position`);

interface OutboxRow {
  eventId: string;
  aggregateId: string;
  aggregateVersion: number;
  eventType: string;
  payload: Buffer;
  publishedAt: Date | null;
}

/** The tenant's outbox rows, each with its decoded envelope. */
async function outboxOf(db: SqlDatabase, tenantId: string): Promise<(OutboxRow & { event: Event })[]> {
  const rows = await db.rows<OutboxRow>(OUTBOX, [tenantId]);
  return rows.map((row) => ({ ...row, event: decodeEvent(row.payload) }));
}

/** Awaits a refusal with `code` and `reason`. */
async function refused(call: Promise<unknown>, code: Status, reason: string): Promise<void> {
  expect((await expectError(call, code)).reason).toBe(reason);
}

const payloadOf = <T>(event: Event, codec: { decode(bytes: Uint8Array): T }): T =>
  codec.decode(event.payload?.value ?? new Uint8Array());

describe("people: HireEmployee and TerminateEmployee", () => {
  it("records EmployeeHired with the hire, in the envelope the contract describes", async () => {
    const tenant = newTenant();
    const hr = await as(tenant);
    const departmentId = await openDepartment(people, tenant);
    const requestId = randomUUID();
    const workEmail = `ada.${randomUUID().slice(0, 8)}@example.com`;
    const hire = {
      requestId,
      givenName: "Ada",
      familyName: "Lovelace",
      workEmail,
      jobTitle: "Engineer",
      departmentId,
      managerId: "",
      hireDate: "2026-01-05",
    };
    const { employee } = await people.employees.hireEmployee(hire, hr);

    const [row, ...others] = await outboxOf(people.sql, tenant);
    expect(others).toEqual([]);
    expect(row?.eventType).toBe("hr.employee.v1.EmployeeHired");
    expect(row?.publishedAt).toBeNull();
    const event = row?.event as Event;
    expect(event).toMatchObject({
      eventId: row?.eventId,
      tenantId: tenant,
      stream: "people",
      aggregateType: "hr.employee.v1.Employee",
      aggregateId: employee?.id,
      aggregateVersion: 1,
      causationRequestId: requestId,
      traceparent: "",
    });
    expect(event.payload?.typeUrl).toBe("type.googleapis.com/hr.employee.v1.EmployeeHired");
    expect(payloadOf(event, EmployeeHired)).toEqual({
      employeeId: employee?.id,
      departmentId,
      managerId: "",
      givenName: "Ada",
      familyName: "Lovelace",
      workEmail,
      jobTitle: "Engineer",
      hireDate: "2026-01-05",
    });

    // The same request id again: the first answer, and no second event.
    const again = await people.employees.hireEmployee(hire, hr);
    expect(again.employee?.id).toBe(employee?.id);
    expect(await outboxOf(people.sql, tenant)).toHaveLength(1);

    const terminate = {
      requestId: randomUUID(),
      id: employee?.id ?? "",
      etag: employee?.etag ?? "",
      effectiveDate: "2026-03-31",
    };
    await people.employees.terminateEmployee(terminate, hr);
    await people.employees.terminateEmployee(terminate, hr);
    const rows = await outboxOf(people.sql, tenant);
    expect(rows.map((r) => r.eventType)).toEqual(["hr.employee.v1.EmployeeHired", "hr.employee.v1.EmployeeTerminated"]);
    expect(rows[1]?.event).toMatchObject({ aggregateVersion: 2, causationRequestId: terminate.requestId });
    expect(payloadOf(rows[1]?.event as Event, EmployeeTerminated)).toEqual({
      employeeId: employee?.id,
      managerId: "",
      departmentId,
      effectiveDate: "2026-03-31",
    });
  });

  it("records nothing for a refused hire or a change that reports no event", async () => {
    const tenant = newTenant();
    const hr = await as(tenant);
    const departmentId = await openDepartment(people, tenant);
    const hire = (workEmail: string) => ({
      requestId: randomUUID(),
      givenName: "Ada",
      familyName: "Lovelace",
      workEmail,
      jobTitle: "",
      departmentId,
      managerId: "",
      hireDate: "2026-01-05",
    });
    const { employee } = await people.employees.hireEmployee(hire("ada@example.com"), hr);
    // Taken work email: refused after the insert was tried, so the transaction (and any event) rolls back.
    await refused(
      people.employees.hireEmployee(hire("ada@example.com"), hr),
      Status.ALREADY_EXISTS,
      "WORK_EMAIL_TAKEN",
    );
    const elsewhere = { ...hire("bob@example.com"), departmentId: randomUUID() };
    await refused(people.employees.hireEmployee(elsewhere, hr), Status.FAILED_PRECONDITION, "UNKNOWN_DEPARTMENT");
    await people.employees.activateEmployee(
      { requestId: randomUUID(), id: employee?.id ?? "", etag: employee?.etag ?? "" },
      hr,
    );
    expect((await outboxOf(people.sql, tenant)).map((r) => r.eventType)).toEqual(["hr.employee.v1.EmployeeHired"]);
  });
});

describe("talent: AdvanceApplication into HIRED", () => {
  it("records ApplicationAccepted once, with the candidate's names and email, and nothing for earlier stages", async () => {
    const tenant = newTenant();
    const recruiter = await as(tenant);
    const candidateEmail = `grace.${randomUUID().slice(0, 8)}@example.com`;
    const submitted = await talent.applications.submitApplication(
      { requestId: randomUUID(), jobOpeningId: randomUUID(), candidateName: "Grace Brewster Hopper", candidateEmail },
      recruiter,
    );
    let application = submitted.application;
    const stages = [
      ApplicationStage.APPLICATION_STAGE_SCREENING,
      ApplicationStage.APPLICATION_STAGE_INTERVIEW,
      ApplicationStage.APPLICATION_STAGE_OFFER,
    ];
    for (const toStage of stages) {
      const command = {
        requestId: randomUUID(),
        id: application?.id ?? "",
        etag: application?.etag ?? "",
        toStage,
        note: "",
      };
      application = (await talent.applications.advanceApplication(command, recruiter)).application;
    }
    expect(await outboxOf(talent.sql, tenant)).toEqual([]);

    const hired = {
      requestId: randomUUID(),
      id: application?.id ?? "",
      etag: application?.etag ?? "",
      toStage: ApplicationStage.APPLICATION_STAGE_HIRED,
      note: "",
    };
    await talent.applications.advanceApplication(hired, recruiter);
    await talent.applications.advanceApplication(hired, recruiter);
    const rows = await outboxOf(talent.sql, tenant);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.event).toMatchObject({
      stream: "talent",
      aggregateType: "hr.candidacy.v1.Application",
      aggregateId: application?.id,
      aggregateVersion: 5,
    });
    expect(payloadOf(rows[0]?.event as Event, ApplicationAccepted)).toEqual({
      applicationId: application?.id,
      jobOpeningId: application?.jobOpeningId,
      candidateName: "Grace Brewster Hopper",
      givenName: "Grace Brewster",
      familyName: "Hopper",
      candidateEmail,
    });
  });
});

describe("identity: CreateAccount and DisableAccount", () => {
  it("records LoginCreated and LoginDisabled, and nothing for a refused creation", async () => {
    const tenant = newTenant();
    const admin = await as(tenant);
    const employeeId = randomUUID();
    const create = {
      requestId: randomUUID(),
      loginName: `ada.${randomUUID().slice(0, 8)}@example.com`,
      employeeId,
      displayName: "Ada Lovelace",
      roles: [Role.ROLE_MANAGER, Role.ROLE_EMPLOYEE],
      initialPassword: "correct horse battery staple",
    };
    const { account } = await identity.accounts.createAccount(create, admin);
    // A second login for the same employee is refused: no event.
    await refused(
      identity.accounts.createAccount({ ...create, requestId: randomUUID(), loginName: "other@example.com" }, admin),
      Status.ALREADY_EXISTS,
      "EMPLOYEE_ALREADY_HAS_LOGIN",
    );
    await identity.accounts.disableAccount(
      { requestId: randomUUID(), id: account?.id ?? "", etag: account?.etag ?? "" },
      admin,
    );
    const rows = await outboxOf(identity.sql, tenant);
    expect(rows.map((r) => r.eventType)).toEqual(["hr.identity.v1.LoginCreated", "hr.identity.v1.LoginDisabled"]);
    expect(payloadOf(rows[0]?.event as Event, LoginCreated)).toEqual({
      accountId: account?.id,
      employeeId,
      loginName: create.loginName,
      roles: [Role.ROLE_EMPLOYEE, Role.ROLE_MANAGER],
    });
    expect(payloadOf(rows[1]?.event as Event, LoginDisabled)).toEqual({ accountId: account?.id, employeeId });
    expect(rows.map((r) => r.aggregateVersion)).toEqual([1, 2]);
  });
});

describe("timeoff: OpenLeaveAccount, ApproveLeave, RejectLeave", () => {
  it("records LeaveAccountOpened and one LeaveRequestDecided per decision, naming the deciding employee", async () => {
    const tenant = newTenant();
    const employeeId = randomUUID();
    const managerId = randomUUID();
    const hr = await as(tenant, undefined, { employeeId: managerId });
    const open = {
      requestId: randomUUID(),
      employeeId,
      leaveType: LeaveType.LEAVE_TYPE_ANNUAL,
      year: 2099,
      entitlementHalfDays: 40,
    };
    const { leaveAccount } = await timeoff.leaveAccounts.openLeaveAccount(open, hr);
    const id = leaveAccount?.id ?? "";
    const ask = async (day: string) =>
      (
        await timeoff.leaveAccounts.requestLeave(
          { requestId: randomUUID(), id, etag: "", startDate: day, endDate: day, halfDay: false, note: "" },
          hr,
        )
      ).leaveRequest?.id ?? "";
    const first = await ask("2099-03-02");
    const second = await ask("2099-03-03");
    await timeoff.leaveAccounts.approveLeave({ requestId: randomUUID(), id, etag: "", leaveRequestId: first }, hr);
    await timeoff.leaveAccounts.rejectLeave({ requestId: randomUUID(), id, etag: "", leaveRequestId: second }, hr);
    // Deciding it again is refused: no second event.
    await refused(
      timeoff.leaveAccounts.approveLeave({ requestId: randomUUID(), id, etag: "", leaveRequestId: first }, hr),
      Status.FAILED_PRECONDITION,
      "LEAVE_REQUEST_NOT_PENDING",
    );

    const rows = await outboxOf(timeoff.sql, tenant);
    expect(rows.map((r) => r.eventType)).toEqual([
      "hr.timeoff.v1.LeaveAccountOpened",
      "hr.timeoff.v1.LeaveRequestDecided",
      "hr.timeoff.v1.LeaveRequestDecided",
    ]);
    expect(payloadOf(rows[0]?.event as Event, LeaveAccountOpened)).toEqual({
      leaveAccountId: id,
      employeeId,
      leaveType: LeaveType.LEAVE_TYPE_ANNUAL,
      year: 2099,
      entitlementHalfDays: 40,
    });
    expect(payloadOf(rows[1]?.event as Event, LeaveRequestDecided)).toEqual({
      leaveAccountId: id,
      leaveRequestId: first,
      employeeId,
      decision: LeaveRequestStatus.LEAVE_REQUEST_STATUS_APPROVED,
      decidedBy: managerId,
      startDate: "2099-03-02",
      endDate: "2099-03-02",
      amountHalfDays: 2,
    });
    expect(payloadOf(rows[2]?.event as Event, LeaveRequestDecided)).toMatchObject({
      leaveRequestId: second,
      decision: LeaveRequestStatus.LEAVE_REQUEST_STATUS_REJECTED,
    });
    // Versions increase along the aggregate's changes (two requests moved it in between).
    const versions = rows.map((r) => r.aggregateVersion);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(rows.every((r) => payloadTypeOf(r.event) === r.eventType)).toBe(true);
  });
});
