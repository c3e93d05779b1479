import { type CallOptions, ClientError, Status } from "nice-grpc";
import { type Account, AccountStatus, Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { type LeaveAccount, LeaveAccountStatus } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { requestIdFor } from "../../runtime/events/consumer.js";
import type { OffboardingClients } from "./offboarding-clients.js";

/**
 * Offboarding: what people's EmployeeTerminated does to the other contexts.
 * The employee's login is disabled, which ends every session of it (identity
 * revokes them in the same transaction), and every open leave account of
 * the employee is settled and closed as of the last day (timeoff's
 * SettleLeaveAccount: leave after it is cancelled, the days left recorded).
 *
 * Safe to run again for the same event (a redelivery, a crash half-way):
 * each command's request id derives from the event, the aggregate and the
 * etag it was sent with, and what is done already (a disabled login, a
 * closed account) is skipped, so a second run changes nothing. A stale etag
 * (someone changed the aggregate between the read and the command) reads
 * again and retries, a few times. An employee without a login or leave
 * accounts is no error. Any other failure is thrown for the caller to retry
 * with backoff: every step done before it stays done and is skipped then.
 */

/** The fact offboarding acts on: people's EmployeeTerminated. */
export interface Termination {
  tenantId: string;
  employeeId: string;
  /** The last day of work, "YYYY-MM-DD". */
  lastDay: string;
  /** The event's id: every request id of this offboarding derives from it. */
  eventId: string;
}

/** The call options (metadata with the flow's service token, in the termination's tenant) of each call. */
export type CallOptionsOf = (tenantId: string) => CallOptions | Promise<CallOptions>;

/** What a run changed: nothing, when it runs again for the same event. */
export interface OffboardingOutcome {
  /** The login this run disabled; undefined when there is none or it was disabled already. */
  disabledAccountId: string | undefined;
  /** The leave accounts this run settled and closed. */
  settledLeaveAccountIds: string[];
}

/** Passes in a row that may each find an aggregate changed under them before giving up (the caller retries later). */
const MAX_ATTEMPTS = 5;

export async function offboardEmployee(
  clients: OffboardingClients,
  termination: Termination,
  callOptions: CallOptionsOf,
): Promise<OffboardingOutcome> {
  // The login first: a terminated person's access matters more than their balance.
  const disabledAccountId = await disableLogin(clients, termination, callOptions);
  const settledLeaveAccountIds = await settleLeaveAccounts(clients, termination, callOptions);
  return { disabledAccountId, settledLeaveAccountIds };
}

async function disableLogin({ accounts }: OffboardingClients, t: Termination, callOptions: CallOptionsOf) {
  for (let attempt = 1; ; attempt++) {
    const filter = { status: AccountStatus.ACCOUNT_STATUS_UNSPECIFIED, role: Role.ROLE_UNSPECIFIED };
    const request = { ...filter, pageSize: 1, pageToken: "", employeeId: t.employeeId };
    // One login per employee at most: the filter answers it or nothing.
    const login: Account | undefined = (await accounts.listAccounts(request, await callOptions(t.tenantId)))
      .accounts[0];
    if (login === undefined || login.status === AccountStatus.ACCOUNT_STATUS_DISABLED) return undefined;
    const { id, etag } = login;
    const requestId = requestIdFor(t.eventId, `disable-login/${id}/${etag}`);
    try {
      await accounts.disableAccount({ requestId, id, etag }, await callOptions(t.tenantId));
      return id;
    } catch (error) {
      if (!isStale(error) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

async function settleLeaveAccounts({ leaveAccounts }: OffboardingClients, t: Termination, callOptions: CallOptionsOf) {
  const settled: string[] = [];
  for (let attempt = 1; ; attempt++) {
    let stale: ClientError | undefined;
    for (const { id, etag } of await openLeaveAccountsOf(leaveAccounts, t, callOptions)) {
      const requestId = requestIdFor(t.eventId, `settle-leave-account/${id}/${etag}`);
      try {
        const request = { requestId, id, etag, lastDay: t.lastDay };
        await leaveAccounts.settleLeaveAccount(request, await callOptions(t.tenantId));
        settled.push(id);
      } catch (error) {
        // The other accounts are settled first; the next pass reads this one again.
        if (!isStale(error)) throw error;
        stale = error;
      }
    }
    if (stale === undefined) return settled;
    if (attempt >= MAX_ATTEMPTS) throw stale;
  }
}

/** The employee's leave accounts that are still open, every page. */
async function openLeaveAccountsOf(
  leaveAccounts: OffboardingClients["leaveAccounts"],
  t: Termination,
  callOptions: CallOptionsOf,
): Promise<LeaveAccount[]> {
  const open: LeaveAccount[] = [];
  let pageToken = "";
  do {
    const request = { pageSize: 200, pageToken, employeeId: t.employeeId, year: 0, employeeIds: [] };
    const page = await leaveAccounts.listLeaveAccounts(request, await callOptions(t.tenantId));
    open.push(...page.leaveAccounts.filter((a) => a.status !== LeaveAccountStatus.LEAVE_ACCOUNT_STATUS_CLOSED));
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return open;
}

/** ABORTED: the etag sent was stale, the aggregate changed since it was read. */
const isStale = (error: unknown): error is ClientError => error instanceof ClientError && error.code === Status.ABORTED;
