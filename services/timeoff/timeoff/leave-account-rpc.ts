import { v7 as uuidv7 } from "uuid";
import type { LeaveAccountServiceDefinition } from "../../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import { type IdempotencyKey, idempotencyKey, type RawSql, runOnce } from "../../../runtime/db/run-once.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import { assertEtag } from "../../../runtime/domain/etag.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { requireId } from "../../../runtime/server/request-checks.js";
import { accountSubject, type LeaveAccount, type LeaveChange } from "./leave-account.js";
import { leaveTypeOf, toLeaveAccountMessage, toLeaveRequestResponse } from "./leave-account-proto.js";
import type { LeaveAccountFilter, LeaveAccountRepository } from "./leave-account-repository.js";
import { accrueLeave, MAX_YEAR, MIN_YEAR, openLeaveAccount } from "./leave-credits.js";
import type { LeaveMovementRepository } from "./leave-movement-repository.js";
import { listLeaveMovements } from "./leave-movement-rpc.js";
import { approveLeave, cancelLeave, rejectLeave, requestLeave } from "./leave-requests.js";

/** How a command treats the etag it was given: always checked, or only when not empty. */
type EtagRule = { etag: string; required: boolean };

/** hr.timeoff.v1.LeaveAccountService: validates, runs the domain through the repository, maps to protobuf. */
export function leaveAccountRpc(
  accounts: LeaveAccountRepository,
  movements: LeaveMovementRepository,
  db: RawSql,
): BusinessService<typeof LeaveAccountServiceDefinition> {
  async function load(repo: LeaveAccountRepository, tenantId: string, id: string): Promise<LeaveAccount> {
    return (await repo.get(tenantId, id)) ?? Promise.reject(notFound("leave_account", id));
  }

  /**
   * Lock → load → check etag → domain command → save, once per request id.
   * The account's row lock makes concurrent commands on one account take
   * turns, so each sees the state the previous one committed. A concurrent
   * repeat of the same request id waits on that lock too; whatever it then
   * runs into, runOnce answers it with the first call's result.
   */
  function command(
    caller: Caller,
    key: IdempotencyKey,
    id: string,
    { etag, required }: EtagRule,
    apply: (current: LeaveAccount, now: string) => LeaveChange,
  ): Promise<LeaveChange> {
    return runOnce(db, key, () =>
      accounts.transaction(async (repo) => {
        if (!(await repo.lock(caller.tenantId, id))) throw notFound("leave_account", id);
        const current = await load(repo, caller.tenantId, id);
        if (required || etag !== "") assertEtag(accountSubject(id), current.version, etag);
        const change = apply(current, nowIso());
        await repo.save(current, change, key);
        return change;
      }),
    );
  }

  /** ApproveLeave, RejectLeave and CancelLeave: a command on one leave request of an account. */
  async function decision(
    method: string,
    caller: Caller,
    request: { requestId: string; id: string; etag: string; leaveRequestId: string },
    apply: (current: LeaveAccount, leaveRequestId: string, now: string) => LeaveChange,
  ) {
    const key = idempotencyKey(caller.tenantId, method, request);
    const checks = new FieldChecks();
    checks.uuid("id", request.id);
    checks.uuid("leave_request_id", request.leaveRequestId);
    checks.throwIfAny();
    const leaveRequestId = request.leaveRequestId.toLowerCase();
    const etag = { etag: request.etag, required: false };
    const change = await command(caller, key, request.id.toLowerCase(), etag, (current, at) =>
      apply(current, leaveRequestId, at),
    );
    return toLeaveRequestResponse(change);
  }

  return {
    async getLeaveAccount(request, { caller }) {
      const account = await load(accounts, caller.tenantId, requireId("id", request.id));
      return { leaveAccount: toLeaveAccountMessage(account) };
    },

    async listLeaveAccounts(request, { caller }) {
      const pageSize = pageSizeOf(request.pageSize);
      const { employeeId, year } = request;
      const checks = new FieldChecks();
      checks.optionalUuid("employee_id", employeeId);
      const validYear = year === 0 || (year >= MIN_YEAR && year <= MAX_YEAR);
      checks.check("year", validYear, `must be ${MIN_YEAR} to ${MAX_YEAR}, or 0 for any year`);
      checks.throwIfAny();
      const filter: LeaveAccountFilter = {
        employeeId: employeeId === "" ? undefined : employeeId.toLowerCase(),
        year: year === 0 ? undefined : year,
      };
      const afterId = decodePageToken(request.pageToken, caller.tenantId, filter);
      const rows = await accounts.list(caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(rows, pageSize, caller.tenantId, filter);
      return { leaveAccounts: items.map(toLeaveAccountMessage), nextPageToken };
    },

    listLeaveMovements: listLeaveMovements(accounts, movements),

    async openLeaveAccount(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "OpenLeaveAccount", request);
      const change = await runOnce(db, key, async () => {
        const opened = openLeaveAccount(
          {
            id: uuidv7(),
            tenantId: caller.tenantId,
            employeeId: request.employeeId,
            leaveType: leaveTypeOf(request.leaveType),
            year: request.year,
            entitlementHalfDays: request.entitlementHalfDays,
          },
          nowIso(),
        );
        await accounts.insert(opened, key);
        return opened;
      });
      return { leaveAccount: toLeaveAccountMessage(change.account) };
    },

    async accrueLeave(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "AccrueLeave", request);
      const id = requireId("id", request.id);
      // Required: an accrual is decided on the balance the client saw (two
      // admins posting this month's accrual must not both succeed).
      const change = await command(caller, key, id, { etag: request.etag, required: true }, (current, at) =>
        accrueLeave(current, { amountHalfDays: request.amountHalfDays, reason: request.reason }, at),
      );
      return { leaveAccount: toLeaveAccountMessage(change.account) };
    },

    async requestLeave(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "RequestLeave", request);
      const id = requireId("id", request.id);
      const { startDate, endDate, halfDay, note } = request;
      const change = await command(caller, key, id, { etag: request.etag, required: false }, (current, at) =>
        requestLeave(current, { id: uuidv7(), startDate, endDate, halfDay, note }, at),
      );
      return toLeaveRequestResponse(change);
    },

    approveLeave: (request, { caller }) => decision("ApproveLeave", caller, request, approveLeave),

    rejectLeave: (request, { caller }) => decision("RejectLeave", caller, request, rejectLeave),

    cancelLeave: (request, { caller }) =>
      decision("CancelLeave", caller, request, (current, leaveRequestId, at) =>
        // Whether approved leave has started is judged by the UTC date: tenants have no time zone yet.
        cancelLeave(current, leaveRequestId, at.slice(0, 10), at),
      ),
  };
}
