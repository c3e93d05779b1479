import { v7 as uuidv7 } from "uuid";
import { ErrorReason } from "../../../generated/proto/hr/notification/v1/error_reason.js";
import {
  type NotificationServiceDefinition as Definition,
  type Notification as NotificationMessage,
  NotificationServiceDefinition,
} from "../../../generated/proto/hr/notification/v1/notification_service.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import type { ChannelListener } from "../../../runtime/db/channel-listener.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { VersionedCommands } from "../../../runtime/db/versioned-commands.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { failedPrecondition, invalidArgument, notFound } from "../../../runtime/domain/domain-error.js";
import type { Access } from "../../../runtime/server/authorization.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { requireId } from "../../../runtime/server/request-checks.js";
import { announceStreamOpen } from "../../../runtime/server/stream-open.js";
import { composeNotification, markNotification, type Notification, notificationSubject } from "./notification.js";
import { kindOf, toNotificationMessage } from "./notification-proto.js";
import { type NotificationFilter, NotificationRepository } from "./notification-repository.js";
import { watchNotifications } from "./notification-watch-rpc.js";

const methods = NotificationServiceDefinition.methods;

/** A call as the handlers see it: the verified caller, its access to the method, its signal. */
type NotificationCall = { caller: Caller; access: Access; signal: AbortSignal };

/** The orders ListNotifications takes, by `order_by`. */
const ORDERS: Record<string, boolean> = { "": false, create_time: false, "create_time desc": true };

/**
 * The employee whose notifications the caller reads: the token's
 * `employee_id`, never a request field. A login linked to no employee has
 * no notifications to read: FAILED_PRECONDITION (linking it fixes that).
 */
function recipientOf(caller: Caller): string {
  if (caller.employeeId === undefined) {
    const message = "this login is not linked to an employee, so it has no notifications";
    throw failedPrecondition(ErrorReason.EMPLOYEE_LINK_REQUIRED, `accounts/${caller.userId}`, message);
  }
  return caller.employeeId;
}

/** hr.notification.v1.NotificationService: validates, runs the domain through the repository, maps to protobuf. */
export function notificationRpc(db: SqlDatabase, listener: ChannelListener): BusinessService<typeof Definition> {
  const notifications = (call: { signal: AbortSignal }) => new NotificationRepository(db.forCall(call.signal));
  const commands = new VersionedCommands(db, (tx) => new NotificationRepository(tx), {
    store: (repo) => ({
      get: (tenantId, id) => repo.lock(tenantId, id),
      update: (changed, current) => repo.save(changed, current),
    }),
    subject: notificationSubject,
    missing: (id) => notFound(ErrorReason.NOTIFICATION_NOT_FOUND, id),
    message: (changed: Notification): { notification?: NotificationMessage } => ({
      notification: toNotificationMessage(changed),
    }),
  });

  /**
   * The caller's own notification: NOT_FOUND when the tenant has none with
   * that id, PERMISSION_DENIED (NOT_OWN_RESOURCE) when it is another person's.
   * A notification never changes recipient, so a check made before a
   * command's transaction holds inside it, and guards a replay too.
   */
  async function ownNotification(call: NotificationCall, value: string) {
    const id = requireId("id", value);
    const recipient = recipientOf(call.caller);
    const found = await notifications(call).get(call.caller.tenantId, id);
    if (found === undefined) throw notFound(ErrorReason.NOTIFICATION_NOT_FOUND, id);
    call.access.check(found.recipientEmployeeId === recipient);
    return found;
  }

  return {
    sendNotification(request, call) {
      const { caller } = call;
      return commands.run(call, methods.sendNotification, request, async (repo) => {
        const draft = { ...request, id: uuidv7(), tenantId: caller.tenantId, kind: kindOf(request.kind) };
        const sent = await repo.insert(composeNotification(draft, nowIso()));
        return { notification: toNotificationMessage(sent) };
      });
    },

    async getNotification(request, call) {
      return { notification: toNotificationMessage(await ownNotification(call, request.id)) };
    },

    async listNotifications(request, call) {
      const { caller } = call;
      const pageSize = pageSizeOf(request.pageSize);
      const newestFirst = ORDERS[request.orderBy.trim().toLowerCase().replace(/\s+/g, " ")];
      if (newestFirst === undefined) {
        const description = 'must be "create_time" (oldest first) or "create_time desc" (newest first)';
        throw invalidArgument([{ field: "order_by", description }], ErrorReason.INVALID_ARGUMENT);
      }
      const recipient = recipientOf(caller);
      const filter: NotificationFilter = { unreadOnly: request.unreadOnly, newestFirst };
      // Bound to the recipient too: a token passed to a colleague of the same tenant is refused.
      const bound = { ...filter, recipient };
      const after = afterSequence(
        decodePageToken(methods.listNotifications, request.pageToken, caller.tenantId, bound),
      );
      const rows = await notifications(call).list(caller.tenantId, recipient, filter, after, pageSize + 1);
      const bySequence = (n: Notification) => String(n.sequence);
      const page = pageOf(methods.listNotifications, rows, pageSize, caller.tenantId, bound, bySequence);
      return { notifications: page.items.map(toNotificationMessage), nextPageToken: page.nextPageToken };
    },

    async *watchNotifications(request, call) {
      const { caller } = call;
      const recipientEmployeeId = recipientOf(caller);
      let afterSequence: number | undefined;
      if (request.afterNotificationId !== "") {
        const id = requireId("after_notification_id", request.afterNotificationId);
        const from = await notifications(call).getOwn(caller.tenantId, recipientEmployeeId, id);
        const description = "is not one of the caller's notifications; watch without it to start from now";
        if (from === undefined) throw invalidArgument([{ field: "after_notification_id", description }]);
        afterSequence = from.sequence;
      }
      // The response header goes out once the stream listens: a client that has it
      // knows that every notification sent from then on reaches it.
      const onListening = () => announceStreamOpen(call);
      const target = { tenantId: caller.tenantId, recipientEmployeeId, afterSequence, onListening };
      for await (const notification of watchNotifications(listener, notifications(call), target, call.signal)) {
        yield { notification: toNotificationMessage(notification) };
      }
    },

    async markNotificationRead(request, call) {
      // Checked before the command, so a colleague cannot replay the recipient's request id either.
      const own = await ownNotification(call, request.id);
      const target = { id: own.id, etag: request.etag, etagRequired: false };
      const mark = (current: Notification) => markNotification(current, request.read, nowIso());
      return commands.changeWith(call, methods.markNotificationRead, request, target, mark, commands.message);
    },
  };
}

/** The last sequence of the previous page (undefined before the first page). */
function afterSequence(key: string | undefined): number | undefined {
  if (key === undefined) return undefined;
  if (/^\d{1,9}$/.test(key)) return Number(key);
  const violation = {
    field: "page_token",
    description: "is not a token issued for this query; start again without one",
  };
  throw invalidArgument([violation], ErrorReason.INVALID_PAGE_TOKEN);
}
