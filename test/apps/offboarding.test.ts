import { createHash, randomBytes, randomUUID } from "node:crypto";
import { ClientError, Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { offboardEmployee, type Termination } from "../../apps/onboarding/offboarding.js";
import { type OffboardingClients, offboardingClients } from "../../apps/onboarding/offboarding-clients.js";
import {
  type Account,
  AccountStatus,
  type CreateAccountRequest,
  Role,
} from "../../generated/proto/hr/identity/v1/account_service.js";
import { RevokeReason } from "../../generated/proto/hr/sessionstore/v1/session_service.js";
import {
  type LeaveAccount,
  LeaveAccountStatus,
  LeaveRequestStatus,
  LeaveType,
} from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { requestIdFor } from "../../runtime/events/consumer.js";
import { as, type Caller, newTenant, testClientPolicy } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { startTimeoff, type TimeoffUnderTest } from "../support/timeoff-under-test.js";

// Offboarding (apps/onboarding/offboarding.ts) against real identity and
// timeoff servers: what people's EmployeeTerminated does to a person's login,
// sign-ins and leave accounts, and that a redelivered event changes nothing.
// Run alone: npx vitest run test/apps/offboarding.test.ts

let identity: IdentityUnderTest;
let timeoff: TimeoffUnderTest;
let clients: OffboardingClients;
beforeAll(async () => {
  [identity, timeoff] = await Promise.all([startIdentity(), startTimeoff()]);
  clients = offboardingClients({ identity: identity.channel, timeoff: timeoff.channel }, testClientPolicy);
});
afterAll(() => Promise.all([identity?.stop(), timeoff?.stop()]));

const YEAR = 2099;
const LAST_DAY = `${YEAR}-06-30`;
const { LEAVE_ACCOUNT_STATUS_OPEN: OPEN, LEAVE_ACCOUNT_STATUS_CLOSED: CLOSED } = LeaveAccountStatus;

/** The flow's calls: the workflow service's token in the termination's tenant, as the onboarding app signs it. */
const asWorkflow = async (tenantId: string) => ({ metadata: (await as(tenantId, ["workflow_service"])).metadata });

const terminationOf = (tenantId: string, employeeId: string): Termination => ({
  tenantId,
  employeeId,
  lastDay: LAST_DAY,
  eventId: randomUUID(),
});

async function login(hr: Caller, employeeId: string, more: Partial<CreateAccountRequest> = {}): Promise<Account> {
  const request = {
    ...{ requestId: randomUUID(), loginName: `p.${randomUUID().slice(0, 8)}@example.com`, employeeId },
    ...{ displayName: "Ada Lovelace", roles: [Role.ROLE_EMPLOYEE], initialPassword: "correct horse battery staple 9" },
    ...more,
  };
  const { account } = await identity.accounts.createAccount(request, hr);
  if (account === undefined) throw new Error("no account");
  return account;
}

const readLogin = async (hr: Caller, id: string) => (await identity.accounts.getAccount({ id }, hr)).account;

/** A sign-in of the login, as the session app starts it: returns its refresh token's hash. */
async function signIn(tenantId: string, accountId: string): Promise<string> {
  const hash = createHash("sha256").update(randomBytes(32)).digest("hex");
  const request = { requestId: randomUUID(), accountId, refreshTokenHash: hash };
  await identity.sessions.startSession(request, await as(tenantId, ["session_service"]));
  return hash;
}

/** Refreshes the sign-in as the session app does (a rotation); answers the new hash. */
async function refresh(tenantId: string, refreshTokenHash: string): Promise<string> {
  const newRefreshTokenHash = createHash("sha256").update(randomBytes(32)).digest("hex");
  const request = { requestId: randomUUID(), refreshTokenHash, newRefreshTokenHash };
  await identity.sessions.rotateRefreshToken(request, await as(tenantId, ["session_service"]));
  return newRefreshTokenHash;
}

async function openAccount(hr: Caller, employeeId: string, leaveType = LeaveType.LEAVE_TYPE_ANNUAL) {
  const request = { requestId: randomUUID(), employeeId, leaveType, year: YEAR, entitlementHalfDays: 40 };
  const { leaveAccount } = await timeoff.leaveAccounts.openLeaveAccount(request, hr);
  if (leaveAccount === undefined) throw new Error("no leave account");
  return leaveAccount;
}

async function requestLeave(hr: Caller, a: LeaveAccount, day: string) {
  const request = {
    requestId: randomUUID(),
    id: a.id,
    etag: "",
    startDate: day,
    endDate: day,
    halfDay: false,
    note: "",
  };
  const { leaveRequest } = await timeoff.leaveAccounts.requestLeave(request, hr);
  if (leaveRequest === undefined) throw new Error("no leave request");
  return leaveRequest;
}

async function accountsOf(hr: Caller, employeeId: string): Promise<LeaveAccount[]> {
  const request = { pageSize: 200, pageToken: "", employeeId, year: 0, employeeIds: [] };
  return (await timeoff.leaveAccounts.listLeaveAccounts(request, hr)).leaveAccounts;
}

/** A person with a login, a live sign-in, and two leave accounts, one with a pending request. */
async function person(tenantId: string) {
  const hr = await as(tenantId);
  const employeeId = randomUUID();
  const account = await login(hr, employeeId);
  const refreshTokenHash = await signIn(tenantId, account.id);
  const annual = await openAccount(hr, employeeId);
  const pending = await requestLeave(hr, annual, `${YEAR}-03-02`);
  const sick = await openAccount(hr, employeeId, LeaveType.LEAVE_TYPE_SICK);
  return { hr, employeeId, account, refreshTokenHash, annual, pending, sick };
}

describe("offboarding a terminated employee", () => {
  it("disables the login, ends its sign-in, settles every leave account; a second run changes nothing", async () => {
    const tenant = newTenant();
    const ada = await person(tenant);
    const colleague = await person(tenant);
    const termination = terminationOf(tenant, ada.employeeId);

    const outcome = await offboardEmployee(clients, termination, asWorkflow);
    expect(outcome.disabledAccountId).toBe(ada.account.id);
    expect([...outcome.settledLeaveAccountIds].sort()).toEqual([ada.annual.id, ada.sick.id].sort());

    expect((await readLogin(ada.hr, ada.account.id))?.status).toBe(AccountStatus.ACCOUNT_STATUS_DISABLED);
    const refused = await expectError(refresh(tenant, ada.refreshTokenHash), Status.UNAUTHENTICATED);
    expect(refused).toMatchObject({
      reason: "REFRESH_TOKEN_INVALID",
      message: "the refresh token is not valid: its session ended (account_disabled)",
    });
    const revoke = { requestId: randomUUID(), refreshTokenHash: ada.refreshTokenHash };
    const ended = await identity.sessions.revokeSession(revoke, await as(tenant, ["session_service"]));
    expect(ended.session?.revokeReason).toBe(RevokeReason.REVOKE_REASON_ACCOUNT_DISABLED);

    const settled = await accountsOf(ada.hr, ada.employeeId);
    expect(settled.map((a) => a.status)).toEqual([CLOSED, CLOSED]);
    expect(settled.map((a) => a.settlement?.lastDay)).toEqual([LAST_DAY, LAST_DAY]);
    const annual = settled.find((a) => a.id === ada.annual.id);
    expect(annual?.leaveRequests.map((r) => r.status)).toEqual([LeaveRequestStatus.LEAVE_REQUEST_STATUS_CANCELLED]);
    expect(annual?.settlement?.remainingHalfDays).toBe(40);

    // The colleague keeps everything.
    expect((await readLogin(ada.hr, colleague.account.id))?.status).toBe(AccountStatus.ACCOUNT_STATUS_ACTIVE);
    await refresh(tenant, colleague.refreshTokenHash);
    expect((await accountsOf(ada.hr, colleague.employeeId)).map((a) => a.status)).toEqual([OPEN, OPEN]);

    // The event delivered again: nothing to do, nothing changed.
    const loginBefore = await readLogin(ada.hr, ada.account.id);
    const again = await offboardEmployee(clients, termination, asWorkflow);
    expect(again).toEqual({ disabledAccountId: undefined, settledLeaveAccountIds: [] });
    expect(await readLogin(ada.hr, ada.account.id)).toEqual(loginBefore);
    expect(await accountsOf(ada.hr, ada.employeeId)).toEqual(settled);
  });

  it("offboards an employee with no login and no leave accounts without an error", async () => {
    const tenant = newTenant();
    const outcome = await offboardEmployee(clients, terminationOf(tenant, randomUUID()), asWorkflow);
    expect(outcome).toEqual({ disabledAccountId: undefined, settledLeaveAccountIds: [] });
  });

  it("resumes after a failure half-way: what was done stays done, the rest is done on the next run", async () => {
    const tenant = newTenant();
    const ada = await person(tenant);
    const termination = terminationOf(tenant, ada.employeeId);
    // The timeoff service goes away after the first settlement.
    let settlements = 0;
    const failing: OffboardingClients = {
      ...clients,
      leaveAccounts: {
        ...clients.leaveAccounts,
        settleLeaveAccount: (request, options) => {
          settlements += 1;
          if (settlements > 1) return Promise.reject(new ClientError("/settle", Status.UNAVAILABLE, "gone"));
          return clients.leaveAccounts.settleLeaveAccount(request, options);
        },
      },
    };
    await expectError(offboardEmployee(failing, termination, asWorkflow), Status.UNAVAILABLE);
    expect((await readLogin(ada.hr, ada.account.id))?.status).toBe(AccountStatus.ACCOUNT_STATUS_DISABLED);
    const halfWay = await accountsOf(ada.hr, ada.employeeId);
    expect(halfWay.map((a) => a.status).sort()).toEqual([OPEN, CLOSED].sort());

    const resumed = await offboardEmployee(clients, termination, asWorkflow);
    const stillOpen = halfWay.find((a) => a.status === OPEN);
    expect(resumed).toEqual({ disabledAccountId: undefined, settledLeaveAccountIds: [stillOpen?.id] });
    expect((await accountsOf(ada.hr, ada.employeeId)).map((a) => a.status)).toEqual([CLOSED, CLOSED]);
  });

  it("reads again and retries when a login or an account changes between its read and the command", async () => {
    const tenant = newTenant();
    const ada = await person(tenant);
    // Right after the flow reads, HR changes the login's roles and asks for more leave on Ada's behalf.
    const racing: OffboardingClients = {
      accounts: {
        ...clients.accounts,
        listAccounts: async (request, options) => {
          const page = await clients.accounts.listAccounts(request, options);
          const read = page.accounts[0];
          if (read?.etag === ada.account.etag) {
            const roles = [Role.ROLE_EMPLOYEE, Role.ROLE_MANAGER];
            await identity.accounts.assignRoles(
              { requestId: randomUUID(), id: read.id, etag: read.etag, roles },
              ada.hr,
            );
          }
          return page;
        },
      },
      leaveAccounts: {
        ...clients.leaveAccounts,
        listLeaveAccounts: async (request, options) => {
          const page = await clients.leaveAccounts.listLeaveAccounts(request, options);
          const annual = page.leaveAccounts.find((a) => a.id === ada.annual.id);
          if (annual?.leaveRequests.length === 1) await requestLeave(ada.hr, annual, `${YEAR}-09-01`);
          return page;
        },
      },
    };
    const outcome = await offboardEmployee(racing, terminationOf(tenant, ada.employeeId), asWorkflow);
    expect(outcome.disabledAccountId).toBe(ada.account.id);
    expect([...outcome.settledLeaveAccountIds].sort()).toEqual([ada.annual.id, ada.sick.id].sort());

    const disabled = await readLogin(ada.hr, ada.account.id);
    expect(disabled).toMatchObject({ status: AccountStatus.ACCOUNT_STATUS_DISABLED });
    expect(disabled?.roles).toEqual([Role.ROLE_EMPLOYEE, Role.ROLE_MANAGER]);
    // The request made during the race was seen on the second read, and given back too.
    const annual = (await accountsOf(ada.hr, ada.employeeId)).find((a) => a.id === ada.annual.id);
    expect(annual?.leaveRequests.map((r) => r.status)).toEqual([
      LeaveRequestStatus.LEAVE_REQUEST_STATUS_CANCELLED,
      LeaveRequestStatus.LEAVE_REQUEST_STATUS_CANCELLED,
    ]);
    expect(annual?.status).toBe(CLOSED);
  });
});

describe("request ids of the flow", () => {
  it("derives the same UUID from the same event and step, and different ones otherwise", () => {
    const event = randomUUID();
    const id = requestIdFor(event, "settle-leave-account/a/1");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdFor(event, "settle-leave-account/a/1")).toBe(id);
    expect(requestIdFor(event, "settle-leave-account/a/2")).not.toBe(id);
    expect(requestIdFor(randomUUID(), "settle-leave-account/a/1")).not.toBe(id);
  });
});
