import type { LeaveRequest as LeaveRequestRow } from "../../../generated/prisma/timeoff/client.js";
import type { TimeoffDatabase, TimeoffTransaction } from "../timeoff-database.js";
import type { LeaveAccount, LeaveRequest, LeaveRequestStatus } from "./leave-account.js";

/**
 * The leave requests of an account: child rows owned by it, read with it
 * (see LeaveAccountRepository.get) and written only inside the transaction
 * that saves it.
 */
export class LeaveRequestRepository {
  constructor(private readonly db: TimeoffDatabase | TimeoffTransaction) {}

  /** Writes what a command changed: the requests it added, and the status of those it decided. */
  async saveChanges(before: LeaveAccount, after: LeaveAccount): Promise<void> {
    const previous = new Map(before.requests.map((r) => [r.id, r]));
    for (const request of after.requests) {
      const old = previous.get(request.id);
      if (old === undefined) {
        await this.db.leaveRequest.create({ data: toRow(after, request) });
      } else if (old.status !== request.status) {
        // Only the status (and its time) of a request ever changes.
        const data = { status: request.status, updateTime: new Date(request.updateTime) };
        await this.db.leaveRequest.update({ where: { id: request.id, accountId: after.id }, data });
      }
    }
  }
}

const toIsoDate = (d: Date) => d.toISOString().slice(0, 10);
const fromIsoDate = (s: string) => new Date(`${s}T00:00:00Z`);

export function toLeaveRequest(r: LeaveRequestRow): LeaveRequest {
  return {
    ...{ id: r.id, startDate: toIsoDate(r.startDate), endDate: toIsoDate(r.endDate), halfDay: r.halfDay },
    ...{ amountHalfDays: r.amountHalfDays, note: r.note, status: r.status as LeaveRequestStatus },
    ...{ createTime: r.createTime.toISOString(), updateTime: r.updateTime.toISOString() },
  };
}

function toRow(account: LeaveAccount, r: LeaveRequest): LeaveRequestRow {
  return {
    ...{ ...r, tenantId: account.tenantId, accountId: account.id },
    ...{ startDate: fromIsoDate(r.startDate), endDate: fromIsoDate(r.endDate) },
    ...{ createTime: new Date(r.createTime), updateTime: new Date(r.updateTime) },
  };
}
