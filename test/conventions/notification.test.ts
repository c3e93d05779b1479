import { createHash, randomUUID } from "node:crypto";
import {
  type ListNotificationsRequest,
  type Notification,
  NotificationKind,
  type SendNotificationRequest,
} from "../../generated/proto/hr/notification/v1/notification_service.js";
import { verifyCallerToken } from "../../runtime/auth/caller.js";
import { as, type Caller, testConfig } from "../support/callers.js";
import { startInbox } from "../support/inbox-under-test.js";
import { type ContextAdapter, optional } from "./adapter.js";
import { describeConventions } from "./suite.js";

// The conventions (tenancy, request ids, etags, paging) in the notification context.
// Run alone: npx vitest run test/conventions/notification.test.ts
//
// The suite calls as one user per tenant; notifications are sent by a process
// manager and read by their recipient only. So, for a caller whose token
// verifies, the adapter sends under the workflow role of the caller's tenant
// and reads and marks as that tenant's one recipient. A token that does not
// verify (none, forged, expired) is passed on as it is: authentication is
// still what refuses it.

type Filter = Partial<Pick<ListNotificationsRequest, "unreadOnly" | "orderBy">>;

/** The employee who receives every notification of a tenant in this suite. */
function recipientOf(tenantId: string): string {
  const hex = createHash("sha256").update(tenantId).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The tenant's recipient and process manager, when `caller`'s token verifies; undefined otherwise. */
async function rolesOf(caller: Caller | undefined) {
  const token = caller?.metadata.get("authorization")?.replace(/^Bearer /, "");
  if (caller === undefined || token === undefined) return undefined;
  try {
    await verifyCallerToken(token, testConfig.auth);
  } catch {
    return undefined;
  }
  const { tenantId } = caller;
  return {
    recipient: await as(tenantId, ["employee"], { userId: "recipient", employeeId: recipientOf(tenantId) }),
    workflow: await as(tenantId, ["workflow_service"], { userId: "onboarding" }),
    employeeId: recipientOf(tenantId),
  };
}

const sendRequest = (): SendNotificationRequest => ({
  requestId: randomUUID(),
  recipientEmployeeId: "",
  kind: NotificationKind.NOTIFICATION_KIND_WELCOME,
  title: "Welcome to the team",
  body: "",
  subject: "",
});

const notifications: ContextAdapter<Notification, SendNotificationRequest, Filter> = {
  context: "notification",
  noun: "notification",
  async start() {
    const inbox = await startInbox();
    const client = inbox.notifications;
    return {
      field: "notification",
      notFoundReason: "NOTIFICATION_NOT_FOUND",
      createRequest: sendRequest,
      otherPayloads: (request) => [
        { ...request, title: "Another title" },
        { ...request, kind: NotificationKind.NOTIFICATION_KIND_LOGIN_CREATED },
      ],
      async create(request, caller) {
        const roles = await rolesOf(caller);
        if (roles === undefined) return client.sendNotification(request, caller);
        return client.sendNotification({ ...request, recipientEmployeeId: roles.employeeId }, roles.workflow);
      },
      get: async (id, caller) =>
        (await client.getNotification({ id }, (await rolesOf(caller))?.recipient ?? caller)).notification!,
      list: async (caller, page, filter = {}) => {
        const request = { unreadOnly: false, orderBy: "", ...page, ...filter };
        const reader = (await rolesOf(caller))?.recipient ?? caller;
        const { notifications, nextPageToken } = await client.listNotifications(request, reader);
        return { items: notifications, nextPageToken };
      },
      filter: { unreadOnly: true },
      otherFilters: [{ orderBy: "create_time desc" }, { unreadOnly: true, orderBy: "create_time desc" }],
      // Variants alternate read and unread, so each one changes the notification.
      change: optional("MarkNotificationRead", async (n, caller, key, variant = 0) => {
        const reader = (await rolesOf(caller))?.recipient ?? caller;
        return client.markNotificationRead({ ...key, id: n.id, read: variant % 2 === 0 }, reader);
      }),
      commands: [],
      stop: () => inbox.stop(),
    };
  },
};

describeConventions(notifications);
