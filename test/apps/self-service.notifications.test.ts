import { randomUUID } from "node:crypto";
import { isAbortError } from "abort-controller-x";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Notification, NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type InboxUnderTest, startInbox } from "../support/inbox-under-test.js";
import { type SelfServiceUnderTest, startSelfService } from "../support/self-service-under-test.js";

// ListMyNotifications and WatchMyNotifications: the self-service app relaying
// a real inbox server, each person with their own token.
// Run alone: npm test -- test/apps/self-service.notifications.test.ts

/** People and timeoff are not called by these methods: nothing listens there. */
const UNUSED = "127.0.0.1:1";

let inbox: InboxUnderTest;
let app: SelfServiceUnderTest;
beforeAll(async () => {
  inbox = await startInbox();
  app = await startSelfService(UNUSED, UNUSED, undefined, inbox.address);
});
afterAll(async () => {
  await app?.stop();
  await inbox?.stop();
});

async function tenantWithPeople() {
  const tenantId = newTenant();
  const ada = randomUUID();
  const grace = randomUUID();
  return {
    tenantId,
    ada,
    grace,
    workflow: await as(tenantId, ["workflow_service"]),
    asAda: await as(tenantId, ["employee"], { userId: "ada", employeeId: ada }),
    asGrace: await as(tenantId, ["manager", "employee"], { userId: "grace", employeeId: grace }),
  };
}

async function send(workflow: Caller, recipientEmployeeId: string, title: string): Promise<Notification> {
  const request = {
    requestId: randomUUID(),
    recipientEmployeeId,
    kind: NotificationKind.NOTIFICATION_KIND_LEAVE_DECIDED,
    title,
    body: "",
    subject: "",
  };
  return (await inbox.notifications.sendNotification(request, workflow)).notification!;
}

/**
 * A watch through self-service. `opened` resolves on its first message, which
 * carries no notification (the stream listens), so whatever is sent after it
 * must arrive; it rejects when the call fails first.
 */
function watchMine(caller: Caller, afterNotificationId = "") {
  const controller = new AbortController();
  const options = { ...caller, signal: controller.signal };
  const iterator = app.selfService.watchMyNotifications({ afterNotificationId }, options)[Symbol.asyncIterator]();
  const opened = iterator.next().then((step) => {
    if (step.done || step.value.notification !== undefined) throw new Error("the first message says nothing but open");
  });
  opened.catch(() => {});
  return {
    opened,
    async next(): Promise<Notification> {
      await opened;
      const step = await iterator.next();
      if (step.done) throw new Error("the stream ended");
      return step.value.notification!;
    },
    cancel: () => controller.abort(),
  };
}

describe("ListMyNotifications", () => {
  it("lists the caller's own notifications only, in either order, page by page", async () => {
    const { ada, grace, workflow, asAda, asGrace } = await tenantWithPeople();
    const first = await send(workflow, ada, "Your leave was approved");
    const second = await send(workflow, ada, "Your login was created");
    const toGrace = await send(workflow, grace, "Ada reports to you now");
    const page = (caller: Caller, fields: { pageToken?: string; orderBy?: string } = {}) =>
      app.selfService.listMyNotifications(
        { pageSize: 1, pageToken: "", unreadOnly: false, orderBy: "create_time desc", ...fields },
        caller,
      );
    const newest = await page(asAda);
    expect(newest.notifications).toEqual([second]);
    const older = await page(asAda, { pageToken: newest.nextPageToken });
    expect(older).toEqual({ notifications: [first], nextPageToken: "" });
    expect((await page(asGrace)).notifications).toEqual([toGrace]);
    // Ada's page token is hers: Grace cannot page through Ada's notifications with it.
    const refused = await expectError(page(asGrace, { pageToken: newest.nextPageToken }), Status.INVALID_ARGUMENT);
    expect(refused.fields).toEqual(["page_token"]);
  });

  it("refuses a login linked to no employee with FAILED_PRECONDITION, before calling inbox", async () => {
    const unlinked = await as(newTenant(), ["tenant_admin"]);
    const request = { pageSize: 0, pageToken: "", unreadOnly: false, orderBy: "" };
    const error = await expectError(app.selfService.listMyNotifications(request, unlinked), Status.FAILED_PRECONDITION);
    expect(error.reason).toBe("EMPLOYEE_LINK_REQUIRED");
    const watching = watchMine(unlinked);
    expect((await expectError(watching.next(), Status.FAILED_PRECONDITION)).reason).toBe("EMPLOYEE_LINK_REQUIRED");
  });
});

describe("WatchMyNotifications", () => {
  it("relays the caller's notifications sent after the stream opened, not another person's, until cancelled", async () => {
    const { ada, grace, workflow, asAda } = await tenantWithPeople();
    await send(workflow, ada, "before the watch");
    const watching = watchMine(asAda);
    await watching.opened;
    await send(workflow, grace, "for Grace");
    const live = await send(workflow, ada, "Your leave was approved");
    expect(await watching.next()).toEqual(live);
    const ending = watching.next();
    watching.cancel();
    const error = await ending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAbortError(error), String(error)).toBe(true);
  });

  it("resumes after the last notification received, missing none sent in between", async () => {
    const { ada, workflow, asAda } = await tenantWithPeople();
    const seen = await send(workflow, ada, "seen");
    const missed = await send(workflow, ada, "sent while away");
    const watching = watchMine(asAda, seen.id);
    expect(await watching.next()).toEqual(missed);
    const live = await send(workflow, ada, "live");
    expect(await watching.next()).toEqual(live);
    watching.cancel();
  });
});
