import { randomUUID } from "node:crypto";
import {
  type LeaveAccount,
  LeaveRequestStatus,
  LeaveType,
  type ListLeaveAccountsRequest,
  type OpenLeaveAccountRequest,
} from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { Caller } from "../support/callers.js";
import { startTimeoff } from "../support/timeoff-under-test.js";
import { type ContextAdapter, type Key, optional, required } from "./adapter.js";
import { describeConventions } from "./suite.js";

// The conventions (tenancy, request ids, etags, paging) in the timeoff context.
// Run alone: npx vitest run test/conventions/timeoff.test.ts
// AccrueLeave and SettleLeaveAccount require the etag; on RequestLeave and the decisions it is optional
// (empty skips the check, see test/contexts/timeoff.test.ts), but a stale one is refused.

type Filter = Partial<Pick<ListLeaveAccountsRequest, "employeeId" | "year">>;
const FUTURE = 2099;
const openRequest = (): OpenLeaveAccountRequest => ({
  requestId: randomUUID(),
  employeeId: randomUUID(),
  leaveType: LeaveType.LEAVE_TYPE_ANNUAL,
  year: FUTURE,
  entitlementHalfDays: 20,
});

const leaveAccounts: ContextAdapter<LeaveAccount, OpenLeaveAccountRequest, Filter> = {
  context: "timeoff",
  noun: "leave account",
  async start() {
    const timeoff = await startTimeoff();
    const client = timeoff.leaveAccounts;
    /** A decision acts on the account's pending leave request. */
    const decision = (method: "approveLeave" | "rejectLeave" | "cancelLeave") =>
      optional<LeaveAccount>(`${method[0]?.toUpperCase()}${method.slice(1)}`, (a, caller, key) => {
        const pending = a.leaveRequests.find((r) => r.status === LeaveRequestStatus.LEAVE_REQUEST_STATUS_PENDING);
        return client[method]({ ...key, id: a.id, leaveRequestId: pending?.id ?? randomUUID() }, caller);
      });
    const requestLeave = (a: LeaveAccount, caller: Caller, key: Key, date = "2099-08-04") =>
      client.requestLeave({ ...key, id: a.id, startDate: date, endDate: date, halfDay: false, note: "" }, caller);
    return {
      field: "leaveAccount",
      notFoundReason: "LEAVE_ACCOUNT_NOT_FOUND",
      createRequest: openRequest,
      otherPayloads: (request) => [
        { ...request, entitlementHalfDays: 21 },
        { ...request, leaveType: LeaveType.LEAVE_TYPE_SICK },
      ],
      create: (request, caller) => client.openLeaveAccount(request, caller),
      // An account with a pending leave request, so that every decision has something to decide.
      async fixture(caller) {
        const { leaveAccount } = await client.openLeaveAccount(openRequest(), caller);
        const key = { requestId: randomUUID(), etag: leaveAccount!.etag };
        return (await requestLeave(leaveAccount!, caller, key, "2099-08-03")).leaveAccount!;
      },
      get: async (id, caller) => (await client.getLeaveAccount({ id }, caller)).leaveAccount!,
      readsById: [
        {
          method: "ListLeaveMovements",
          call: (leaveAccountId, caller) =>
            client.listLeaveMovements({ leaveAccountId, pageSize: 10, pageToken: "" }, caller),
        },
      ],
      list: async (caller, page, filter = {}) => {
        const request = { employeeId: "", year: 0, ...page, ...filter };
        const { leaveAccounts, nextPageToken } = await client.listLeaveAccounts(request, caller);
        return { items: leaveAccounts, nextPageToken };
      },
      filter: { year: FUTURE },
      otherFilters: [{ year: FUTURE - 1 }, { employeeId: randomUUID(), year: FUTURE }],
      change: required("AccrueLeave", (a, caller, key, variant = 0) =>
        client.accrueLeave({ ...key, id: a.id, amountHalfDays: variant + 1, reason: `accrual ${variant}` }, caller),
      ),
      commands: [
        optional("RequestLeave", (a, caller, key) => requestLeave(a, caller, key)),
        decision("approveLeave"),
        decision("rejectLeave"),
        decision("cancelLeave"),
        required("SettleLeaveAccount", (a, caller, key) =>
          client.settleLeaveAccount({ ...key, id: a.id, lastDay: "2099-06-30" }, caller),
        ),
      ],
      stop: () => timeoff.stop(),
    };
  },
};

describeConventions(leaveAccounts);
