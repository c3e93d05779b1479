/**
 * LeaveAccount, the aggregate root of the timeoff context: one employee's
 * balance of one leave type for one year, with the leave requests made
 * against it (they live inside the aggregate and change only through it).
 *
 * Amounts are integers of HALF DAYS: 2 = one day, 5 = two and a half days.
 * Integers cannot drift the way fractional days in floating point would, and
 * half a day is the smallest amount HR grants or takes.
 *
 * available = entitlement + accrued − reserved (pending) − approved, and it
 * never goes below zero. The reserved and approved amounts are derived from
 * the requests, so they cannot disagree with them (the repository stores a
 * copy on the account row, for queries, in the same transaction).
 *
 * An account is open until it is settled, when its employee leaves
 * (leave-settlement.ts); a closed account refuses every command.
 *
 * This file holds the state, the balance and `record`, which every command
 * ends with; the commands are in leave-credits.ts (open, accrue),
 * leave-requests.ts (request, approve, reject, cancel) and
 * leave-settlement.ts (settle). All pure: the caller passes ids and `now`;
 * every command returns the new state (version + 1 per movement) with the
 * movements it recorded (one, except a settlement), or throws a DomainError.
 */

import { ErrorReason } from "../../../generated/proto/hr/timeoff/v1/error_reason.js";
import { failedPrecondition } from "../../../runtime/domain/domain-error.js";

export const LEAVE_TYPES = ["annual", "sick", "unpaid", "parental"] as const;
export type LeaveType = (typeof LEAVE_TYPES)[number];
export type LeaveRequestStatus = "pending" | "approved" | "rejected" | "cancelled";
export type MovementKind = "opened" | "accrued" | "reserved" | "released" | "taken" | "restored" | "settled";
export type LeaveAccountStatus = "open" | "closed";

/** How a closed account was settled: the last day of work, and the days left available then. */
export interface LeaveSettlement {
  lastDay: string;
  remainingHalfDays: number;
  settleTime: string;
}

export interface LeaveRequest {
  id: string;
  startDate: string;
  endDate: string;
  halfDay: boolean;
  amountHalfDays: number;
  note: string;
  status: LeaveRequestStatus;
  createTime: string;
  updateTime: string;
}

export interface LeaveAccount {
  id: string;
  tenantId: string;
  employeeId: string;
  leaveType: LeaveType;
  year: number;
  entitlementHalfDays: number;
  accruedHalfDays: number;
  /** Oldest first; a request's fields never change after creation except its status and updateTime. */
  requests: LeaveRequest[];
  status: LeaveAccountStatus;
  /** Set when the account closes, null while it is open. */
  settlement: LeaveSettlement | null;
  version: number;
  createTime: string;
  updateTime: string;
}

export interface LeaveBalance {
  entitlementHalfDays: number;
  accruedHalfDays: number;
  reservedHalfDays: number;
  approvedHalfDays: number;
  availableHalfDays: number;
}

/** One change of the balance. `sequence` is the account version it produced: 1, 2, 3, ... */
export interface LeaveMovement {
  sequence: number;
  kind: MovementKind;
  amountHalfDays: number;
  leaveRequestId: string | null;
  reason: string;
  balance: LeaveBalance;
  createTime: string;
}

/** What a command produced: the account's new state and the movements it recorded. */
export interface LeaveChange {
  account: LeaveAccount;
  /** The last movement the command recorded (the only one, except for a settlement). */
  movement: LeaveMovement;
  /** Every movement the command recorded, in sequence order; `movement` is the last. */
  movements: readonly LeaveMovement[];
}

export const accountSubject = (id: string): string => `leaveAccounts/${id}`;

/** Every command but opening starts here: a closed (settled) account takes none. */
export function assertOpen(a: LeaveAccount): void {
  if (a.status === "closed") {
    const message = `leave account ${a.id} was settled and closed on ${a.settlement?.settleTime.slice(0, 10)}`;
    throw failedPrecondition(ErrorReason.LEAVE_ACCOUNT_CLOSED, accountSubject(a.id), message);
  }
}

export function balanceOf(a: LeaveAccount): LeaveBalance {
  const sum = (status: LeaveRequestStatus) =>
    a.requests.reduce((total, r) => (r.status === status ? total + r.amountHalfDays : total), 0);
  const reservedHalfDays = sum("pending");
  const approvedHalfDays = sum("approved");
  const { entitlementHalfDays, accruedHalfDays } = a;
  const availableHalfDays = entitlementHalfDays + accruedHalfDays - reservedHalfDays - approvedHalfDays;
  return { entitlementHalfDays, accruedHalfDays, reservedHalfDays, approvedHalfDays, availableHalfDays };
}

/**
 * Every command ends here: bumps the version, stamps the time and describes
 * the movement with the balance it leaves. The invariant is checked once
 * more: a command that would overdraw the account is a bug, never saved.
 */
export function record(
  changed: LeaveAccount,
  movement: { kind: MovementKind; amountHalfDays: number; leaveRequestId?: string; reason?: string },
  now: string,
): LeaveChange {
  const account = { ...changed, version: changed.version + 1, updateTime: now };
  const balance = balanceOf(account);
  if (balance.availableHalfDays < 0 || balance.reservedHalfDays < 0 || balance.approvedHalfDays < 0) {
    throw new Error(`leave account ${account.id} would be left with a negative balance: ${JSON.stringify(balance)}`);
  }
  const { kind, amountHalfDays, leaveRequestId = null, reason = "" } = movement;
  const recorded = {
    sequence: account.version,
    kind,
    amountHalfDays,
    leaveRequestId,
    reason,
    balance,
    createTime: now,
  };
  return { account, movement: recorded, movements: [recorded] };
}
