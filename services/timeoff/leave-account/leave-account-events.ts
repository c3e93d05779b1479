import {
  LeaveAccountOpened,
  LeaveRequestDecided,
  protobufPackage,
} from "../../../generated/proto/hr/timeoff/v1/leave_account_events.js";
import { type DomainEvent, domainEvent } from "../../../runtime/events/envelope.js";
import type { EventSource } from "../../../runtime/events/outbox.js";
import type { LeaveAccount } from "./leave-account.js";
import { STATUS_TO_PROTO, TYPE_TO_PROTO } from "./leave-account-proto.js";

/** The timeoff context's events travel on the timeoff stream, about hr.timeoff.v1.LeaveAccount. */
export const LEAVE_ACCOUNT_EVENTS: EventSource = {
  stream: "timeoff",
  aggregateType: `${protobufPackage}.LeaveAccount`,
};

/** What a saved new account publishes. */
export function openedEvents(opened: LeaveAccount): DomainEvent[] {
  return [
    domainEvent(LeaveAccountOpened, `${protobufPackage}.LeaveAccountOpened`, {
      leaveAccountId: opened.id,
      employeeId: opened.employeeId,
      leaveType: TYPE_TO_PROTO[opened.leaveType],
      year: opened.year,
      entitlementHalfDays: opened.entitlementHalfDays,
    }),
  ];
}

/**
 * What a saved change publishes: each request it moved from pending to
 * approved or rejected; `decidedBy` is the deciding caller's employee id.
 */
export function changeEvents(changed: LeaveAccount, before: LeaveAccount, decidedBy: string): DomainEvent[] {
  const pending = new Set(before.requests.filter((r) => r.status === "pending").map((r) => r.id));
  return changed.requests
    .filter((r) => pending.has(r.id) && (r.status === "approved" || r.status === "rejected"))
    .map((r) =>
      domainEvent(LeaveRequestDecided, `${protobufPackage}.LeaveRequestDecided`, {
        leaveAccountId: changed.id,
        leaveRequestId: r.id,
        employeeId: changed.employeeId,
        decision: STATUS_TO_PROTO[r.status],
        decidedBy,
        startDate: r.startDate,
        endDate: r.endDate,
        amountHalfDays: r.amountHalfDays,
      }),
    );
}
