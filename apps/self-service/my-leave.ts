import type {
  CancelMyLeaveRequest,
  CancelMyLeaveResponse,
  ListMyLeaveAccountsRequest,
  ListMyLeaveAccountsResponse,
  ListMyLeaveMovementsRequest,
  ListMyLeaveMovementsResponse,
  RequestMyLeaveRequest,
  RequestMyLeaveResponse,
} from "../../generated/proto/hr/selfservice/v1/self_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import { requireId } from "../../runtime/server/request-checks.js";
import type { DataClients } from "./data-clients.js";
import { isCallers, type SelfServiceCall, signedInEmployee } from "./signed-in-employee.js";

/** ListMyLeaveAccounts: timeoff's list, always filtered by the caller's own employee. */
export async function myLeaveAccounts(
  data: DataClients,
  request: ListMyLeaveAccountsRequest,
  context: SelfServiceCall,
): Promise<ListMyLeaveAccountsResponse> {
  const employeeId = signedInEmployee(context.caller);
  const { pageSize, pageToken, year } = request;
  return data.leaveAccounts.listLeaveAccounts({ pageSize, pageToken, year, employeeId }, forwardCall(context));
}

export async function myLeaveMovements(
  data: DataClients,
  request: ListMyLeaveMovementsRequest,
  context: SelfServiceCall,
): Promise<ListMyLeaveMovementsResponse> {
  const leaveAccountId = await ownLeaveAccount(data, request.leaveAccountId, context);
  const { pageSize, pageToken } = request;
  return data.leaveAccounts.listLeaveMovements({ leaveAccountId, pageSize, pageToken }, forwardCall(context));
}

export async function requestMyLeave(
  data: DataClients,
  request: RequestMyLeaveRequest,
  context: SelfServiceCall,
): Promise<RequestMyLeaveResponse> {
  const id = await ownLeaveAccount(data, request.leaveAccountId, context);
  const { requestId, startDate, endDate, halfDay, note } = request;
  return data.leaveAccounts.requestLeave(
    { requestId, id, etag: "", startDate, endDate, halfDay, note },
    forwardCall(context),
  );
}

export async function cancelMyLeave(
  data: DataClients,
  request: CancelMyLeaveRequest,
  context: SelfServiceCall,
): Promise<CancelMyLeaveResponse> {
  const id = await ownLeaveAccount(data, request.leaveAccountId, context);
  const leaveRequestId = requireId("leave_request_id", request.leaveRequestId);
  return data.leaveAccounts.cancelLeave(
    { requestId: request.requestId, id, etag: "", leaveRequestId },
    forwardCall(context),
  );
}

/**
 * The id of a leave account the caller may act on as its own: it must belong
 * to the caller's employee (PERMISSION_DENIED, reason NOT_OWN_RESOURCE
 * otherwise). Checked here and not left to timeoff, because timeoff lets a
 * manager or HR administrator reach every account of the tenant. An account
 * never changes employee, so the check holds for the call that follows.
 */
async function ownLeaveAccount(data: DataClients, leaveAccountId: string, context: SelfServiceCall): Promise<string> {
  // A login linked to no employee owns no account: say so rather than "not yours".
  signedInEmployee(context.caller);
  const id = requireId("leave_account_id", leaveAccountId);
  const { leaveAccount } = await data.leaveAccounts.getLeaveAccount({ id }, forwardCall(context));
  context.access.check(isCallers(context.caller, leaveAccount?.employeeId ?? ""));
  return id;
}
