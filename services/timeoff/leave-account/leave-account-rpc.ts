import { v7 as uuidv7 } from "uuid";
import { ErrorReason } from "../../../generated/proto/hr/timeoff/v1/error_reason.js";
import {
  type LeaveAccountServiceDefinition as Definition,
  type LeaveAccount as LeaveAccountMessage,
  LeaveAccountServiceDefinition,
  type LeaveRequest as LeaveRequestMessage,
} from "../../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import type { CommandMethod, TenantCall } from "../../../runtime/db/commands.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { VersionedCommands } from "../../../runtime/db/versioned-commands.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { invalidArgument, notFound } from "../../../runtime/domain/domain-error.js";
import { FieldChecks, idsFilter } from "../../../runtime/domain/validation.js";
import type { Access } from "../../../runtime/server/authorization.js";
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
import { settleLeaveAccount } from "./leave-settlement.js";

const methods = LeaveAccountServiceDefinition.methods;

/** The account a command acts on, and how it treats the etag it was given: always checked, or only when not empty. */
type Target = { id: string; etag: string; etagRequired: boolean };

/** ApproveLeave, RejectLeave and CancelLeave: a command on one leave request of an account. */
type Decision = (current: LeaveAccount, leaveRequestId: string, now: string) => LeaveChange;
type DecisionRequest = { requestId: string; id: string; etag: string; leaveRequestId: string };
type DecisionResponse = { leaveAccount?: LeaveAccountMessage; leaveRequest?: LeaveRequestMessage };

/** Whether an employee's records are the caller's own: its token names that employee. */
function isCallers(caller: Caller, employeeId: string): boolean {
  return caller.employeeId !== undefined && employeeId.toLowerCase() === caller.employeeId;
}

/** Whether a list's employee filters (`employee_id`, `employee_ids`) name the caller and nobody else. */
function namesOnlyCaller(caller: Caller, employeeId: string, employeeIds: readonly string[] | undefined): boolean {
  if (employeeId === "" && employeeIds === undefined) return false;
  const named = employeeId === "" ? [] : [employeeId];
  return [...named, ...(employeeIds ?? [])].every((id) => isCallers(caller, id));
}

/** A call as the handlers see it: the verified caller, its access to the method, its signal. */
type LeaveCall = TenantCall & { caller: Caller; access: Access };

/** hr.timeoff.v1.LeaveAccountService: validates, runs the domain through the repository, maps to protobuf. */
export function leaveAccountRpc(db: SqlDatabase): BusinessService<typeof Definition> {
  const accounts = (call: { signal: AbortSignal }) => new LeaveAccountRepository(db.forCall(call.signal));
  const commands = new VersionedCommands(db, (tx, outbox) => new LeaveAccountRepository(tx, outbox), {
    store: (repo) => ({
      get: (tenantId, id) => repo.lock(tenantId, id),
      update: (changed, current) => repo.save(current, changed),
    }),
    subject: accountSubject,
    missing: (id) => notFound(ErrorReason.LEAVE_ACCOUNT_NOT_FOUND, id),
    message: ({ account }: LeaveChange): { leaveAccount?: LeaveAccountMessage } => ({
      leaveAccount: toLeaveAccountMessage(account),
    }),
  });

  /**
   * Throws PERMISSION_DENIED unless the caller's access covers the account's
   * employee; reads the account only when the answer can be no. An account
   * never changes employee, so a check made before a command's transaction
   * holds inside it, and it also guards the replay of an earlier response.
   */
  async function checkOwner(call: LeaveCall, id: string): Promise<void> {
    const { caller, access } = call;
    if (access.needsOwner)
      access.check(isCallers(caller, found(await accounts(call).get(caller.tenantId, id), id).employeeId));
  }

  /**
   * Check access → lock and load → check etag → domain command → save, once
   * per request id. The account's row lock makes concurrent commands on one
   * account take turns, so each sees the state the previous one committed.
   */
  async function change<Response>(
    context: LeaveCall,
    method: CommandMethod<Response>,
    request: { requestId: string },
    target: Target,
    apply: (current: LeaveAccount, now: string) => LeaveChange,
    respond: (change: LeaveChange) => Response,
  ): Promise<Response> {
    await checkOwner(context, target.id);
    return commands.changeWith(context, method, request, target, (current) => apply(current, nowIso()), respond);
  }

  function decide(
    method: CommandMethod<DecisionResponse>,
    context: LeaveCall,
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
      context,
      method,
      request,
      target,
      (current, now) => apply(current, leaveRequestId, now),
      toLeaveRequestResponse,
    );
  }

  return {
    async getLeaveAccount(request, call) {
      const { caller, access } = call;
      const id = requireId("id", request.id);
      const account = found(await accounts(call).get(caller.tenantId, id), id);
      access.check(isCallers(caller, account.employeeId));
      return { leaveAccount: toLeaveAccountMessage(account) };
    },

    async listLeaveAccounts(request, call) {
      const { caller, access } = call;
      const pageSize = pageSizeOf(request.pageSize);
      const { employeeId, year } = request;
      const checks = new FieldChecks();
      checks.optionalUuid("employee_id", employeeId);
      const validYear = year === 0 || (year >= MIN_YEAR && year <= MAX_YEAR);
      checks.check("year", validYear, `must be ${MIN_YEAR} to ${MAX_YEAR}, or 0 for any year`);
      checks.throwIfAny();
      const employeeIds = idsFilter("employee_ids", request.employeeIds);
      // Limited to one's own accounts, a list must ask for exactly those.
      access.check(namesOnlyCaller(caller, employeeId, employeeIds));
      const filter: LeaveAccountFilter = {
        employeeId: employeeId === "" ? undefined : employeeId.toLowerCase(),
        employeeIds,
        year: year === 0 ? undefined : year,
      };
      const afterId = decodePageToken(methods.listLeaveAccounts, request.pageToken, caller.tenantId, filter);
      const rows = await accounts(call).list(caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(methods.listLeaveAccounts, rows, pageSize, caller.tenantId, filter);
      return { leaveAccounts: items.map(toLeaveAccountMessage), nextPageToken };
    },

    /** An account's history, paged by sequence number (not by id like the other lists). */
    async listLeaveMovements(request, call) {
      const { caller } = call;
      const accountId = requireId("leave_account_id", request.leaveAccountId);
      await checkOwner(call, accountId);
      const pageSize = pageSizeOf(request.pageSize);
      const filter = { accountId };
      const after = afterSequence(
        decodePageToken(methods.listLeaveMovements, request.pageToken, caller.tenantId, filter),
      );
      const rows = await accounts(call).movements(caller.tenantId, accountId, after, pageSize + 1);
      if (rows === undefined) throw notFound(ErrorReason.LEAVE_ACCOUNT_NOT_FOUND, accountId);
      const bySequence = (movement: (typeof rows)[number]) => String(movement.sequence);
      const { items, nextPageToken } = pageOf(
        methods.listLeaveMovements,
        rows,
        pageSize,
        caller.tenantId,
        filter,
        bySequence,
      );
      return { movements: items.map(toLeaveMovementMessage), nextPageToken };
    },

    openLeaveAccount(request, call) {
      const { caller, access } = call;
      access.check(isCallers(caller, request.employeeId));
      return commands.run(call, methods.openLeaveAccount, request, async (repo) => {
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
        await repo.insert(opened);
        return { leaveAccount: toLeaveAccountMessage(opened.account) };
      });
    },

    accrueLeave(request, context) {
      // The etag is required: an accrual is decided on the balance the client
      // saw (two admins posting this month's accrual must not both succeed).
      const target = { id: requireId("id", request.id), etag: request.etag, etagRequired: true };
      const accrual = { amountHalfDays: request.amountHalfDays, reason: request.reason };
      return change(
        context,
        methods.accrueLeave,
        request,
        target,
        (current, now) => accrueLeave(current, accrual, now),
        commands.message,
      );
    },

    requestLeave(request, context) {
      const target = { id: requireId("id", request.id), etag: request.etag, etagRequired: false };
      const { startDate, endDate, halfDay, note } = request;
      return change(
        context,
        methods.requestLeave,
        request,
        target,
        (current, now) => requestLeave(current, { id: uuidv7(), startDate, endDate, halfDay, note }, now),
        toLeaveRequestResponse,
      );
    },

    approveLeave: (request, context) => decide(methods.approveLeave, context, request, approveLeave),

    rejectLeave: (request, context) => decide(methods.rejectLeave, context, request, rejectLeave),

    cancelLeave: (request, context) =>
      decide(methods.cancelLeave, context, request, (current, leaveRequestId, now) =>
        // Whether approved leave has started is judged by the UTC date: tenants have no time zone yet.
        cancelLeave(current, leaveRequestId, now.slice(0, 10), now),
      ),

    settleLeaveAccount(request, context) {
      // The etag is required: a settlement is decided on the requests the caller saw.
      const target = { id: requireId("id", request.id), etag: request.etag, etagRequired: true };
      return change(
        context,
        methods.settleLeaveAccount,
        request,
        target,
        (current, now) => settleLeaveAccount(current, request.lastDay, now),
        commands.message,
      );
    },
  };
}

function found(account: LeaveAccount | undefined, id: string): LeaveAccount {
  if (account === undefined) throw notFound(ErrorReason.LEAVE_ACCOUNT_NOT_FOUND, id);
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
  throw invalidArgument([violation], ErrorReason.INVALID_PAGE_TOKEN);
}
