import { v7 as uuidv7 } from "uuid";
import {
  type LeaveAccountServiceDefinition as Definition,
  type LeaveAccount as LeaveAccountMessage,
  LeaveAccountServiceDefinition,
  type LeaveRequest as LeaveRequestMessage,
} from "../../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { type CommandMethod, CommandPipeline, type TenantCall } from "../../../runtime/db/commands.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { invalidArgument, notFound } from "../../../runtime/domain/domain-error.js";
import { assertEtag } from "../../../runtime/domain/etag.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { requireId } from "../../../runtime/server/request-checks.js";
import { accountSubject, type LeaveAccount, type LeaveChange } from "./leave-account.js";
import {
  leaveTypeOf,
  toLeaveAccountMessage,
  toLeaveMovementMessage,
  toLeaveRequestResponse,
} from "./leave-account-proto.js";
import { type LeaveAccountFilter, LeaveAccountRepository } from "./leave-account-repository.js";
import { accrueLeave, MAX_YEAR, MIN_YEAR, openLeaveAccount } from "./leave-credits.js";
import { approveLeave, cancelLeave, rejectLeave, requestLeave } from "./leave-requests.js";

const methods = LeaveAccountServiceDefinition.methods;

/** The account a command acts on, and how it treats the etag it was given: always checked, or only when not empty. */
type Target = { id: string; etag: string; etagRequired: boolean };

/** ApproveLeave, RejectLeave and CancelLeave: a command on one leave request of an account. */
type Decision = (current: LeaveAccount, leaveRequestId: string, now: string) => LeaveChange;
type DecisionRequest = { requestId: string; id: string; etag: string; leaveRequestId: string };
type DecisionResponse = { leaveAccount?: LeaveAccountMessage; leaveRequest?: LeaveRequestMessage };

/** hr.timeoff.v1.LeaveAccountService: validates, runs the domain through the repository, maps to protobuf. */
export function leaveAccountRpc(db: SqlDatabase): BusinessService<typeof Definition> {
  const accounts = (call: { signal: AbortSignal }) => new LeaveAccountRepository(db.forCall(call.signal));
  const commands = new CommandPipeline(db, (tx) => new LeaveAccountRepository(tx));

  /**
   * Lock and load → check etag → domain command → save, once per request id.
   * The account's row lock makes concurrent commands on one account take
   * turns, so each sees the state the previous one committed.
   */
  function change<Response>(
    call: TenantCall,
    method: CommandMethod<Response>,
    request: { requestId: string },
    { id, etag, etagRequired }: Target,
    apply: (current: LeaveAccount, now: string) => LeaveChange,
    respond: (change: LeaveChange) => Response,
  ): Promise<Response> {
    return commands.run(call, method, request, async (repo) => {
      const current = found(await repo.lock(call.caller.tenantId, id), id);
      if (etagRequired || etag !== "") assertEtag(accountSubject(id), current.version, etag);
      const changed = apply(current, nowIso());
      await repo.save(current, changed);
      return respond(changed);
    });
  }

  function decide(
    method: CommandMethod<DecisionResponse>,
    call: TenantCall,
    request: DecisionRequest,
    apply: Decision,
  ) {
    const checks = new FieldChecks();
    checks.uuid("id", request.id);
    checks.uuid("leave_request_id", request.leaveRequestId);
    checks.throwIfAny();
    const leaveRequestId = request.leaveRequestId.toLowerCase();
    const target = { id: request.id.toLowerCase(), etag: request.etag, etagRequired: false };
    return change(
      call,
      method,
      request,
      target,
      (current, now) => apply(current, leaveRequestId, now),
      toLeaveRequestResponse,
    );
  }

  return {
    async getLeaveAccount(request, call) {
      const id = requireId("id", request.id);
      return { leaveAccount: toLeaveAccountMessage(found(await accounts(call).get(call.caller.tenantId, id), id)) };
    },

    async listLeaveAccounts(request, call) {
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
      const afterId = decodePageToken(request.pageToken, call.caller.tenantId, filter);
      const rows = await accounts(call).list(call.caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(rows, pageSize, call.caller.tenantId, filter);
      return { leaveAccounts: items.map(toLeaveAccountMessage), nextPageToken };
    },

    /** An account's history, paged by sequence number (not by id like the other lists). */
    async listLeaveMovements(request, call) {
      const accountId = requireId("leave_account_id", request.leaveAccountId);
      const pageSize = pageSizeOf(request.pageSize);
      const filter = { accountId };
      const after = afterSequence(decodePageToken(request.pageToken, call.caller.tenantId, filter));
      const rows = await accounts(call).movements(call.caller.tenantId, accountId, after, pageSize + 1);
      if (rows === undefined) throw notFound("leave_account", accountId);
      const bySequence = (movement: (typeof rows)[number]) => String(movement.sequence);
      const { items, nextPageToken } = pageOf(rows, pageSize, call.caller.tenantId, filter, bySequence);
      return { movements: items.map(toLeaveMovementMessage), nextPageToken };
    },

    openLeaveAccount(request, call) {
      return commands.run(call, methods.openLeaveAccount, request, async (repo) => {
        const opened = openLeaveAccount(
          {
            id: uuidv7(),
            tenantId: call.caller.tenantId,
            employeeId: request.employeeId,
            leaveType: leaveTypeOf(request.leaveType),
            year: request.year,
            entitlementHalfDays: request.entitlementHalfDays,
          },
          nowIso(),
        );
        await repo.insert(opened);
        return { leaveAccount: toLeaveAccountMessage(opened.account) };
      });
    },

    accrueLeave(request, call) {
      // The etag is required: an accrual is decided on the balance the client
      // saw (two admins posting this month's accrual must not both succeed).
      const target = { id: requireId("id", request.id), etag: request.etag, etagRequired: true };
      const accrual = { amountHalfDays: request.amountHalfDays, reason: request.reason };
      return change(
        call,
        methods.accrueLeave,
        request,
        target,
        (current, now) => accrueLeave(current, accrual, now),
        ({ account }) => ({ leaveAccount: toLeaveAccountMessage(account) }),
      );
    },

    requestLeave(request, call) {
      const target = { id: requireId("id", request.id), etag: request.etag, etagRequired: false };
      const { startDate, endDate, halfDay, note } = request;
      return change(
        call,
        methods.requestLeave,
        request,
        target,
        (current, now) => requestLeave(current, { id: uuidv7(), startDate, endDate, halfDay, note }, now),
        toLeaveRequestResponse,
      );
    },

    approveLeave: (request, call) => decide(methods.approveLeave, call, request, approveLeave),

    rejectLeave: (request, call) => decide(methods.rejectLeave, call, request, rejectLeave),

    cancelLeave: (request, call) =>
      decide(methods.cancelLeave, call, request, (current, leaveRequestId, now) =>
        // Whether approved leave has started is judged by the UTC date: tenants have no time zone yet.
        cancelLeave(current, leaveRequestId, now.slice(0, 10), now),
      ),
  };
}

function found(account: LeaveAccount | undefined, id: string): LeaveAccount {
  if (account === undefined) throw notFound("leave_account", id);
  return account;
}

/** The last sequence of the previous ListLeaveMovements page (0 before the first page). */
function afterSequence(key: string | undefined): number {
  if (key === undefined) return 0;
  if (/^\d{1,9}$/.test(key)) return Number(key);
  const violation = {
    field: "page_token",
    description: "is not a token issued for this query; start again without one",
  };
  throw invalidArgument([violation], "INVALID_PAGE_TOKEN");
}
