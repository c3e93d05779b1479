import { ErrorReason } from "../../../generated/proto/hr/notification/v1/error_reason.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";

/**
 * Notification, the aggregate root of the notification context: one message
 * to one employee, written once by a process manager and afterwards changed
 * only by its recipient marking it read or unread. Pure: the caller passes
 * ids and `now`; every command returns the new state (version + 1) or throws
 * a DomainError.
 */

export const NOTIFICATION_KINDS = ["welcome", "new_report", "login_created", "leave_decided"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const MAX_TITLE = 200;
export const MAX_BODY = 2_000;
export const MAX_SUBJECT = 300;

export interface Notification {
  id: string;
  tenantId: string;
  recipientEmployeeId: string;
  /** The recipient's n-th notification, 1, 2, 3... in commit order; assigned by the repository on insert. */
  sequence: number;
  kind: NotificationKind;
  title: string;
  body: string;
  subject: string;
  /** When the recipient marked it read; null while unread. */
  readTime: string | null;
  version: number;
  createTime: string;
}

/** What a sender says; `kind` is undefined when the request named none the context knows. */
export interface NotificationDraft {
  id: string;
  tenantId: string;
  recipientEmployeeId: string;
  kind: NotificationKind | undefined;
  title: string;
  body: string;
  subject: string;
}

/** A new, unread notification (its sequence still 0), or INVALID_ARGUMENT naming every bad field. */
export function composeNotification(draft: NotificationDraft, now: string): Notification {
  const title = draft.title.trim();
  const body = draft.body.trim();
  const subject = draft.subject.trim();
  const checks = new FieldChecks();
  checks.uuid("recipient_employee_id", draft.recipientEmployeeId);
  checks.check("kind", draft.kind !== undefined, "is required: one of the NotificationKind values");
  if (title === "") checks.check("title", false, "is required");
  else checks.text("title", title, { min: 1, max: MAX_TITLE });
  checks.text("body", body, { min: 0, max: MAX_BODY });
  checks.text("subject", subject, { min: 0, max: MAX_SUBJECT });
  checks.throwIfAny(ErrorReason.INVALID_ARGUMENT);
  return {
    id: draft.id,
    tenantId: draft.tenantId,
    recipientEmployeeId: draft.recipientEmployeeId.toLowerCase(),
    sequence: 0,
    kind: draft.kind as NotificationKind,
    title,
    body,
    subject,
    readTime: null,
    version: 1,
    createTime: now,
  };
}

/**
 * Marks a notification read (keeping the first read time) or unread again.
 * Always a new version, even when the state stays: the etag a client holds
 * then tells that someone marked it meanwhile.
 */
export function markNotification(current: Notification, read: boolean, now: string): Notification {
  return { ...current, readTime: read ? (current.readTime ?? now) : null, version: current.version + 1 };
}

/** The name an etag mismatch gives the notification. */
export function notificationSubject(id: string): string {
  return `notifications/${id}`;
}
