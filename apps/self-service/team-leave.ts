import type { Employee } from "../../generated/proto/hr/employee/v1/employee_service.js";
import type {
  ApproveTeamLeaveRequest,
  ApproveTeamLeaveResponse,
  ListTeamLeaveRequestsResponse,
  TeamLeaveRequest,
} from "../../generated/proto/hr/selfservice/v1/self_service.js";
import { LeaveRequestStatus } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import { permissionDenied } from "../../runtime/domain/domain-error.js";
import { requireId } from "../../runtime/server/request-checks.js";
import type { DataClients } from "./data-clients.js";
import { inBatches } from "./in-batches.js";
import { reportsOf, reportsTo } from "./reporting-tree.js";
import { isCallers, type SelfServiceCall, signedInEmployee } from "./signed-in-employee.js";

const PARALLEL_CALLS = 8;
/** Accounts read per report: one per leave type and year, so 200 covers 50 years of every type. */
const ACCOUNTS_PER_REPORT = 200;

/** ListTeamLeaveRequests: the pending requests of the caller's reporting tree. */
export async function teamLeaveRequests(
  data: DataClients,
  context: SelfServiceCall,
): Promise<ListTeamLeaveRequestsResponse> {
  const reports = await reportsOf(data, signedInEmployee(context.caller), context);
  const perReport = await inBatches(reports, PARALLEL_CALLS, (report) => pendingOf(data, report, context));
  return { leaveRequests: perReport.flat() };
}

async function pendingOf(data: DataClients, report: Employee, context: SelfServiceCall): Promise<TeamLeaveRequest[]> {
  const { leaveAccounts } = await data.leaveAccounts.listLeaveAccounts(
    { pageSize: ACCOUNTS_PER_REPORT, pageToken: "", employeeId: report.id, year: 0 },
    forwardCall(context),
  );
  return leaveAccounts.flatMap((account) =>
    account.leaveRequests
      .filter((request) => request.status === LeaveRequestStatus.LEAVE_REQUEST_STATUS_PENDING)
      .map((leaveRequest) => ({
        employeeId: report.id,
        displayName: `${report.givenName} ${report.familyName}`,
        leaveAccountId: account.id,
        leaveType: account.leaveType,
        leaveRequest,
      })),
  );
}

/**
 * ApproveTeamLeave and RejectTeamLeave: timeoff's decision, with the caller's
 * token, once the caller may decide for this employee. Timeoff already
 * refuses one's own request and lets any manager decide anyone's; the
 * reporting line is checked here, where people's manager links are reachable.
 */
export async function decideTeamLeave(
  data: DataClients,
  decision: "approveLeave" | "rejectLeave",
  request: ApproveTeamLeaveRequest,
  context: SelfServiceCall,
): Promise<ApproveTeamLeaveResponse> {
  const { caller, access } = context;
  const id = requireId("leave_account_id", request.leaveAccountId);
  const leaveRequestId = requireId("leave_request_id", request.leaveRequestId);
  const { leaveAccount } = await data.leaveAccounts.getLeaveAccount({ id }, forwardCall(context));
  const employeeId = leaveAccount?.employeeId.toLowerCase() ?? "";
  access.check(isCallers(caller, employeeId));
  // An HR administrator decides for anyone of the tenant; a manager only down their reporting line.
  if (!caller.roles.includes("hr_admin")) {
    const managerId = signedInEmployee(caller);
    if (!(await reportsTo(data, employeeId, managerId, context))) {
      throw permissionDenied("NOT_IN_REPORTING_LINE", `employee ${employeeId} does not report to the caller`);
    }
  }
  return data.leaveAccounts[decision](
    { requestId: request.requestId, id, etag: "", leaveRequestId },
    forwardCall(context),
  );
}
