import {
  NotificationKind,
  type Notification as NotificationMessage,
} from "../../../generated/proto/hr/notification/v1/notification_service.js";
import { etagOf } from "../../../runtime/domain/etag.js";
import { type NotificationKind as Kind, NOTIFICATION_KINDS, type Notification } from "./notification.js";

const KIND_TO_PROTO: Record<Kind, NotificationKind> = {
  welcome: NotificationKind.NOTIFICATION_KIND_WELCOME,
  new_report: NotificationKind.NOTIFICATION_KIND_NEW_REPORT,
  login_created: NotificationKind.NOTIFICATION_KIND_LOGIN_CREATED,
  leave_decided: NotificationKind.NOTIFICATION_KIND_LEAVE_DECIDED,
};

/**
 * The kind a request names, or undefined for UNSPECIFIED and for values this
 * server does not know (a newer client's, or garbage such as 99): the domain
 * reports it as an invalid kind together with any other bad field.
 */
export function kindOf(value: NotificationKind): Kind | undefined {
  return NOTIFICATION_KINDS.find((kind) => KIND_TO_PROTO[kind] === value);
}

/** The aggregate as clients see it. */
export function toNotificationMessage(n: Notification): NotificationMessage {
  return {
    ...{ id: n.id, recipientEmployeeId: n.recipientEmployeeId, kind: KIND_TO_PROTO[n.kind] },
    ...{ title: n.title, body: n.body, subject: n.subject },
    createTime: new Date(n.createTime),
    readTime: n.readTime === null ? undefined : new Date(n.readTime),
    etag: etagOf(n.version),
  };
}
