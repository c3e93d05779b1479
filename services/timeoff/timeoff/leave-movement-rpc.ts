import type {
  ListLeaveMovementsRequest,
  ListLeaveMovementsResponse,
} from "../../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import { decodePageToken, encodePageToken, pageSizeOf } from "../../../runtime/db/page-token.js";
import { invalidArgument, notFound } from "../../../runtime/domain/domain-error.js";
import { requireId } from "../../../runtime/server/request-checks.js";
import { toLeaveMovementMessage } from "./leave-account-proto.js";
import type { LeaveAccountRepository } from "./leave-account-repository.js";
import type { LeaveMovementRepository } from "./leave-movement-repository.js";

/**
 * ListLeaveMovements of hr.timeoff.v1.LeaveAccountService: an account's
 * history, paged by sequence number (not by id like the other lists), with
 * tokens bound to the tenant and the account.
 */
export function listLeaveMovements(accounts: LeaveAccountRepository, movements: LeaveMovementRepository) {
  return async (
    request: ListLeaveMovementsRequest,
    { caller }: { caller: Caller },
  ): Promise<ListLeaveMovementsResponse> => {
    const accountId = requireId("leave_account_id", request.leaveAccountId);
    const pageSize = pageSizeOf(request.pageSize);
    const filter = { accountId };
    const after = afterSequence(decodePageToken(request.pageToken, caller.tenantId, filter));
    if (!(await accounts.exists(caller.tenantId, accountId))) throw notFound("leave_account", accountId);
    const rows = await movements.list(caller.tenantId, accountId, after, pageSize + 1);
    const items = rows.slice(0, pageSize);
    const last = items.at(-1);
    const more = rows.length > pageSize && last !== undefined;
    const nextPageToken = more ? encodePageToken(caller.tenantId, filter, String(last.sequence)) : "";
    return { movements: items.map(toLeaveMovementMessage), nextPageToken };
  };
}

/** The last sequence of the previous page (0 before the first page). */
function afterSequence(key: string | undefined): number {
  if (key === undefined) return 0;
  if (/^\d{1,9}$/.test(key)) return Number(key);
  const violation = {
    field: "page_token",
    description: "is not a token issued for this query; start again without one",
  };
  throw invalidArgument([violation], "INVALID_PAGE_TOKEN");
}
