import { ErrorReason } from "../../../generated/proto/hr/timeoff/v1/error_reason.js";
import { failedPrecondition } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import {
  accountSubject,
  assertOpen,
  LEAVE_TYPES,
  type LeaveAccount,
  type LeaveChange,
  type LeaveType,
  record,
} from "./leave-account.js";

/**
 * The days an account is credited with (see leave-account.ts): the
 * entitlement it is opened with, and the accruals added later (monthly
 * accruals, carry-over). Both are movements of their own.
 */

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;
/** 366 days: a whole leap year. */
export const MAX_ENTITLEMENT_HALF_DAYS = 732;
export const MAX_ACCRUAL_HALF_DAYS = 732;
/** Entitlement plus accruals: generous (1000 days) while keeping every sum far from int32 overflow. */
export const MAX_CREDIT_HALF_DAYS = 2000;

export interface NewLeaveAccount {
  id: string;
  tenantId: string;
  employeeId: string;
  /** null when the request named no known type. */
  leaveType: LeaveType | null;
  year: number;
  entitlementHalfDays: number;
}

export interface Accrual {
  amountHalfDays: number;
  reason: string;
}

export function openLeaveAccount(input: NewLeaveAccount, now: string): LeaveChange {
  const checks = new FieldChecks();
  checks.uuid("employee_id", input.employeeId);
  checks.check("leave_type", input.leaveType !== null, `is required: one of ${LEAVE_TYPES.join(", ")}`);
  checkInteger(checks, "year", input.year, MIN_YEAR, MAX_YEAR);
  checkInteger(checks, "entitlement_half_days", input.entitlementHalfDays, 0, MAX_ENTITLEMENT_HALF_DAYS);
  checks.throwIfAny();
  const { id, tenantId, year, entitlementHalfDays } = input;
  const opened: LeaveAccount = {
    ...{ id, tenantId, employeeId: input.employeeId.toLowerCase(), leaveType: input.leaveType as LeaveType, year },
    ...{ entitlementHalfDays, accruedHalfDays: 0, requests: [], status: "open", settlement: null },
    ...{ version: 0, createTime: now, updateTime: now },
  };
  return record(opened, { kind: "opened", amountHalfDays: entitlementHalfDays }, now);
}

export function accrueLeave(a: LeaveAccount, accrual: Accrual, now: string): LeaveChange {
  const checks = new FieldChecks();
  checkInteger(checks, "amount_half_days", accrual.amountHalfDays, 1, MAX_ACCRUAL_HALF_DAYS);
  const reason = accrual.reason.trim();
  checks.text("reason", reason, { min: 1, max: 200 });
  checks.throwIfAny();
  assertOpen(a);
  const accruedHalfDays = a.accruedHalfDays + accrual.amountHalfDays;
  if (a.entitlementHalfDays + accruedHalfDays > MAX_CREDIT_HALF_DAYS) {
    throw failedPrecondition(
      ErrorReason.CREDIT_LIMIT_EXCEEDED,
      accountSubject(a.id),
      `entitlement and accruals of leave account ${a.id} would exceed ${MAX_CREDIT_HALF_DAYS} half days`,
    );
  }
  return record({ ...a, accruedHalfDays }, { kind: "accrued", amountHalfDays: accrual.amountHalfDays, reason }, now);
}

function checkInteger(checks: FieldChecks, field: string, value: number, min: number, max: number): boolean {
  return checks.check(field, Number.isInteger(value) && value >= min && value <= max, `must be ${min} to ${max}`);
}
