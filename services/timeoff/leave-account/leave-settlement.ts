import { FieldChecks } from "../../../runtime/domain/validation.js";
import {
  assertOpen,
  balanceOf,
  type LeaveAccount,
  type LeaveChange,
  type LeaveMovement,
  type LeaveRequest,
  record,
} from "./leave-account.js";
import { decide } from "./leave-requests.js";

/**
 * The settlement of an account whose employee leaves (see leave-account.ts):
 *
 * - leave that would fall after the last day of work is no leave from a job:
 *   every pending request is cancelled (RELEASED), and so is every approved
 *   request that starts after the last day (RESTORED), whatever today's date
 *   (a termination may be recorded after the last day);
 * - approved leave that starts on or before the last day is kept whole: a
 *   request is never split, and such leave was taken while employed;
 * - the days left available are recorded (SETTLED, moving nothing) as what
 *   payroll pays out or forfeits: pro-rating and pay-out are policies this
 *   context does not hold;
 * - the account closes: it takes no more requests, decisions or accruals.
 */

/** Whether settling on `lastDay` cancels a request, and with which movement. */
function cancelledAtSettlement(r: LeaveRequest, lastDay: string): "released" | "restored" | undefined {
  if (r.status === "pending") return "released";
  if (r.status === "approved" && r.startDate > lastDay) return "restored";
  return undefined;
}

export function settleLeaveAccount(a: LeaveAccount, lastDay: string, now: string): LeaveChange {
  const checks = new FieldChecks();
  checks.isoDate("last_day", lastDay);
  checks.throwIfAny();
  assertOpen(a);
  const cancellations: LeaveMovement[] = [];
  let current = a;
  for (const request of a.requests) {
    const kind = cancelledAtSettlement(request, lastDay);
    if (kind === undefined) continue;
    const change = decide(current, request, "cancelled", kind, now);
    cancellations.push(change.movement);
    current = change.account;
  }
  const remainingHalfDays = balanceOf(current).availableHalfDays;
  const settlement = { lastDay, remainingHalfDays, settleTime: now };
  const settled = record(
    { ...current, status: "closed", settlement },
    { kind: "settled", amountHalfDays: remainingHalfDays },
    now,
  );
  return { ...settled, movements: [...cancellations, settled.movement] };
}
