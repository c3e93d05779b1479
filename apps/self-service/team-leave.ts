import type { Employee } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { ErrorReason } from "../../generated/proto/hr/selfservice/v1/error_reason.js";
import type {
  ApproveTeamLeaveRequest,
  ApproveTeamLeaveResponse,
  ListTeamLeaveRequestsResponse,
  TeamLeaveRequest,
} from "../../generated/proto/hr/selfservice/v1/self_service.js";
import { type LeaveAccount, LeaveRequestStatus } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import { permissionDenied } from "../../runtime/domain/domain-error.js";
import { requireId } from "../../runtime/server/request-checks.js";
import type { DataClients } from "./data-clients.js";
import { IDS_PER_CALL, reportsOf, reportsTo } from "./reporting-tree.js";
import { isCallers, type SelfServiceCall, signedInEmployee } from "./signed-in-employee.js";

const PAGE_SIZE = 200;

/**
 * ListTeamLeaveRequests: the pending requests of the caller's reporting
 * tree. The tree (at most MAX_TEAM_SIZE people) is read a level at a time,
 * and the accounts 200 people at a time, so a team of 300 costs a handful of
 * upstream calls, not two per person.
 */
export async function teamLeaveRequests(
  data: DataClients,
  context: SelfServiceCall,
): Promise<ListTeamLeaveRequestsResponse> {
  const reports = await reportsOf(data, signedInEmployee(context.caller), context);
  const accounts = new Map<string, LeaveAccount[]>();
  for (let i = 0; i < reports.length; i += IDS_PER_CALL) {
    for (const account of await accountsOf(data, reports.slice(i, i + IDS_PER_CALL), context)) {
      const id = account.employeeId.toLowerCase();
      accounts.set(id, [...(accounts.get(id) ?? []), account]);
    }
  }
  return { leaveRequests: reports.flatMap((report) => pendingOf(report, accounts.get(report.id) ?? [])) };
}

/**
 * The leave accounts of up to IDS_PER_CALL people, a page of 200 per call
 * (timeoff's ListLeaveAccounts filtered by employee_ids), in creation order.
 */
async function accountsOf(data: DataClients, people: Employee[], context: SelfServiceCall): Promise<LeaveAccount[]> {
  const employeeIds = people.map((person) => person.id);
  const accounts: LeaveAccount[] = [];
  let pageToken = "";
  do {
    const page = await data.leaveAccounts.listLeaveAccounts(
      { pageSize: PAGE_SIZE, pageToken, employeeId: "", employeeIds, year: 0 },
      forwardCall(context),
    );
    accounts.push(...page.leaveAccounts);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return accounts;
}

function pendingOf(report: Employee, accounts: LeaveAccount[]): TeamLeaveRequest[] {
  return accounts.flatMap((account) =>
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
  // "Never one's own" needs to know whose leave is the caller's: a login
  // linked to no employee (an HR administrator's second login) decides nothing.
  if (caller.employeeId === undefined) {
    throw permissionDenied(ErrorReason.DECIDER_NOT_LINKED, "leave is decided only with a login linked to an employee");
  }
  const id = requireId("leave_account_id", request.leaveAccountId);
  const leaveRequestId = requireId("leave_request_id", request.leaveRequestId);
  const { leaveAccount } = await data.leaveAccounts.getLeaveAccount({ id }, forwardCall(context));
  const employeeId = leaveAccount?.employeeId.toLowerCase() ?? "";
  access.check(isCallers(caller, employeeId));
  // An HR administrator decides for anyone of the tenant; a manager only down their reporting line.
  if (!caller.roles.includes("hr_admin")) {
    const managerId = signedInEmployee(caller);
    if (!(await reportsTo(data, employeeId, managerId, context))) {
      throw permissionDenied(ErrorReason.NOT_IN_REPORTING_LINE, `employee ${employeeId} does not report to the caller`);
    }
  }
  return data.leaveAccounts[decision](
    { requestId: request.requestId, id, etag: "", leaveRequestId },
    forwardCall(context),
  );
}
