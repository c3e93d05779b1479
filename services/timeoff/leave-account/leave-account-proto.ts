import {
  type LeaveAccount as LeaveAccountMessage,
  LeaveAccountStatus,
  LeaveMovementKind,
  type LeaveMovement as LeaveMovementMessage,
  type LeaveRequest as LeaveRequestMessage,
  LeaveRequestStatus,
  LeaveType,
} from "../../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { etagOf } from "../../../runtime/domain/etag.js";
import {
  type LeaveAccountStatus as AccountStatus,
  balanceOf,
  LEAVE_TYPES,
  type LeaveAccount,
  type LeaveChange,
  type LeaveMovement,
  type LeaveRequest,
  type MovementKind,
  type LeaveRequestStatus as Status,
  type LeaveType as Type,
} from "./leave-account.js";

export const TYPE_TO_PROTO: Record<Type, LeaveType> = {
  annual: LeaveType.LEAVE_TYPE_ANNUAL,
  sick: LeaveType.LEAVE_TYPE_SICK,
  unpaid: LeaveType.LEAVE_TYPE_UNPAID,
  parental: LeaveType.LEAVE_TYPE_PARENTAL,
};

export const STATUS_TO_PROTO: Record<Status, LeaveRequestStatus> = {
  pending: LeaveRequestStatus.LEAVE_REQUEST_STATUS_PENDING,
  approved: LeaveRequestStatus.LEAVE_REQUEST_STATUS_APPROVED,
  rejected: LeaveRequestStatus.LEAVE_REQUEST_STATUS_REJECTED,
  cancelled: LeaveRequestStatus.LEAVE_REQUEST_STATUS_CANCELLED,
};

const KIND_TO_PROTO: Record<MovementKind, LeaveMovementKind> = {
  opened: LeaveMovementKind.LEAVE_MOVEMENT_KIND_OPENED,
  accrued: LeaveMovementKind.LEAVE_MOVEMENT_KIND_ACCRUED,
  reserved: LeaveMovementKind.LEAVE_MOVEMENT_KIND_RESERVED,
  released: LeaveMovementKind.LEAVE_MOVEMENT_KIND_RELEASED,
  taken: LeaveMovementKind.LEAVE_MOVEMENT_KIND_TAKEN,
  restored: LeaveMovementKind.LEAVE_MOVEMENT_KIND_RESTORED,
  settled: LeaveMovementKind.LEAVE_MOVEMENT_KIND_SETTLED,
};

const ACCOUNT_STATUS_TO_PROTO: Record<AccountStatus, LeaveAccountStatus> = {
  open: LeaveAccountStatus.LEAVE_ACCOUNT_STATUS_OPEN,
  closed: LeaveAccountStatus.LEAVE_ACCOUNT_STATUS_CLOSED,
};

/**
 * The leave type a request names, or null for UNSPECIFIED and for values this
 * server does not know (a newer client's, or garbage such as 99): the domain
 * reports it as an invalid leave_type together with any other bad field.
 */
export function leaveTypeOf(value: LeaveType): Type | null {
  return LEAVE_TYPES.find((type) => TYPE_TO_PROTO[type] === value) ?? null;
}

/** The aggregate as clients see it. */
export function toLeaveAccountMessage(a: LeaveAccount): LeaveAccountMessage {
  return {
    id: a.id,
    employeeId: a.employeeId,
    leaveType: TYPE_TO_PROTO[a.leaveType],
    year: a.year,
    balance: balanceOf(a),
    leaveRequests: a.requests.map(toLeaveRequestMessage),
    etag: etagOf(a.version),
    createTime: new Date(a.createTime),
    updateTime: new Date(a.updateTime),
    status: ACCOUNT_STATUS_TO_PROTO[a.status],
    settlement: a.settlement === null ? undefined : { ...a.settlement, settleTime: new Date(a.settlement.settleTime) },
  };
}

export function toLeaveRequestMessage(r: LeaveRequest): LeaveRequestMessage {
  return {
    ...{ id: r.id, startDate: r.startDate, endDate: r.endDate, halfDay: r.halfDay },
    ...{ amountHalfDays: r.amountHalfDays, note: r.note, status: STATUS_TO_PROTO[r.status] },
    ...{ createTime: new Date(r.createTime), updateTime: new Date(r.updateTime) },
  };
}

export function toLeaveMovementMessage(m: LeaveMovement): LeaveMovementMessage {
  return {
    ...{ sequence: m.sequence, kind: KIND_TO_PROTO[m.kind], amountHalfDays: m.amountHalfDays },
    ...{ leaveRequestId: m.leaveRequestId ?? "", reason: m.reason, balance: m.balance },
    createTime: new Date(m.createTime),
  };
}

/** The answer to a command on a leave request: the account and the request the command touched. */
export function toLeaveRequestResponse({ account, movement }: LeaveChange) {
  const request = account.requests.find((r) => r.id === movement.leaveRequestId);
  if (request === undefined) throw new Error(`movement ${movement.sequence} of ${account.id} names no request`);
  return { leaveAccount: toLeaveAccountMessage(account), leaveRequest: toLeaveRequestMessage(request) };
}
