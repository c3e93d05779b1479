import { randomUUID } from "node:crypto";
import { isAbortError } from "abort-controller-x";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Notification,
  NotificationKind,
  type SendNotificationRequest,
} from "../../generated/proto/hr/notification/v1/notification_service.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type InboxUnderTest, startInbox } from "../support/inbox-under-test.js";

// The notification context (hr.notification.v1.NotificationService) through its
// generated client against a real inbox server and database: sending, reading
// one's own notifications, and watching them live. Tenancy, request ids, etags
// and paging: test/conventions/notification.test.ts.
// Run alone: npx vitest run test/contexts/notification.test.ts

let inbox: InboxUnderTest;
beforeAll(async () => {
  inbox = await startInbox();
});
afterAll(() => inbox?.stop());

const WELCOME = NotificationKind.NOTIFICATION_KIND_WELCOME;

/** A tenant with its process manager and two people who receive notifications. */
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
    asGrace: await as(tenantId, ["employee"], { userId: "grace", employeeId: grace }),
  };
}

function sendRequest(recipientEmployeeId: string, fields: Partial<SendNotificationRequest> = {}) {
  return {
    requestId: randomUUID(),
    recipientEmployeeId,
    kind: WELCOME,
    title: "Welcome to the team, Ada",
    body: "Your first day starts at 9.",
    subject: `employees/${recipientEmployeeId}`,
    ...fields,
  };
}

async function send(workflow: Caller, recipient: string, fields: Partial<SendNotificationRequest> = {}) {
  const { notification } = await inbox.notifications.sendNotification(sendRequest(recipient, fields), workflow);
  return notification!;
}

async function listOf(caller: Caller, fields: { unreadOnly?: boolean; orderBy?: string } = {}) {
  const request = { pageSize: 200, pageToken: "", unreadOnly: false, orderBy: "", ...fields };
  return (await inbox.notifications.listNotifications(request, caller)).notifications;
}

async function storedRows(tenantId: string): Promise<number> {
  return inbox.db.notification.count({ where: { tenantId } });
}

/**
 * A watch opened by `caller`: `opened` resolves once the server listens (its
 * response header), so whatever is sent after it must arrive.
 */
function watch(caller: Caller, afterNotificationId = "") {
  const controller = new AbortController();
  let listening: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    listening = resolve;
  });
  const stream = inbox.notifications.watchNotifications(
    { afterNotificationId },
    { ...caller, signal: controller.signal, onHeader: () => listening() },
  );
  const iterator = stream[Symbol.asyncIterator]();
  const received = async (): Promise<Notification> => {
    const next = await iterator.next();
    if (next.done) throw new Error("the stream ended");
    return next.value.notification!;
  };
  // The first message's read starts at once, so that `opened` can resolve (the call starts on the first read).
  const first = received();
  first.catch(() => {});
  let firstTaken = false;
  return {
    opened,
    next: () => {
      if (firstTaken) return received();
      firstTaken = true;
      return first;
    },
    /** The stream's end after `cancel`, as the client sees it. */
    cancel: () => controller.abort(),
  };
}

describe("sending notifications", () => {
  it("sends one to an employee, who reads it with Get and List; a repeat answers the first and writes once", async () => {
    const { tenantId, ada, workflow, asAda } = await tenantWithPeople();
    const request = sendRequest(ada.toUpperCase());
    const { notification } = await inbox.notifications.sendNotification(request, workflow);
    expect(notification).toMatchObject({
      recipientEmployeeId: ada,
      kind: WELCOME,
      title: "Welcome to the team, Ada",
      body: "Your first day starts at 9.",
      subject: `employees/${ada.toUpperCase()}`,
      readTime: undefined,
      etag: '"1"',
    });
    expect(notification!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(await inbox.notifications.sendNotification(request, workflow)).toEqual({ notification });
    expect(await storedRows(tenantId)).toBe(1);
    expect((await inbox.notifications.getNotification({ id: notification!.id }, asAda)).notification).toEqual(
      notification,
    );
    expect(await listOf(asAda)).toEqual([notification]);
  });

  it("refuses bad input with INVALID_ARGUMENT naming every bad field, and writes nothing", async () => {
    const { tenantId, workflow } = await tenantWithPeople();
    const bad = {
      recipientEmployeeId: "not-a-uuid",
      kind: NotificationKind.NOTIFICATION_KIND_UNSPECIFIED,
      title: " \u200b ",
      body: "x".repeat(2_001),
      subject: "line\nbreak",
    };
    const error = await expectError(
      inbox.notifications.sendNotification(sendRequest(randomUUID(), bad), workflow),
      Status.INVALID_ARGUMENT,
    );
    expect(error.reason).toBe("INVALID_ARGUMENT");
    expect(error.fields).toEqual(["recipient_employee_id", "kind", "title", "body", "subject"]);
    const unknownKind = await expectError(
      inbox.notifications.sendNotification(
        sendRequest(randomUUID(), { kind: 99 as NotificationKind, title: "" }),
        workflow,
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(unknownKind.fields).toEqual(["kind", "title"]);
    expect(await storedRows(tenantId)).toBe(0);
  });

  it("lets only the process managers send: a person is refused, and nothing is written", async () => {
    const { tenantId, ada, asAda } = await tenantWithPeople();
    const hr = await as(tenantId, ["hr_admin", "employee"], { employeeId: randomUUID() });
    for (const caller of [asAda, hr]) {
      const error = await expectError(
        inbox.notifications.sendNotification(sendRequest(ada), caller),
        Status.PERMISSION_DENIED,
      );
      expect(error.reason).toBe("ROLE_REQUIRED");
    }
    expect(await storedRows(tenantId)).toBe(0);
  });
});

describe("reading one's own notifications", () => {
  it("lists only the caller's own; another person's is refused to Get and to a mark, and stays unread", async () => {
    const { ada, grace, workflow, asAda, asGrace } = await tenantWithPeople();
    const toAda = await send(workflow, ada);
    const toGrace = await send(workflow, grace, { title: "Welcome, Grace" });
    expect(await listOf(asAda)).toEqual([toAda]);
    expect(await listOf(asGrace)).toEqual([toGrace]);
    const reading = await expectError(
      inbox.notifications.getNotification({ id: toGrace.id }, asAda),
      Status.PERMISSION_DENIED,
    );
    expect(reading.reason).toBe("NOT_OWN_RESOURCE");
    const mark = { requestId: randomUUID(), id: toGrace.id, etag: "", read: true };
    const marking = await expectError(inbox.notifications.markNotificationRead(mark, asAda), Status.PERMISSION_DENIED);
    expect(marking.reason).toBe("NOT_OWN_RESOURCE");
    const missing = await expectError(
      inbox.notifications.getNotification({ id: randomUUID() }, asAda),
      Status.NOT_FOUND,
    );
    expect(missing.reason).toBe("NOTIFICATION_NOT_FOUND");
    expect((await inbox.notifications.getNotification({ id: toGrace.id }, asGrace)).notification).toEqual(toGrace);
  });

  it("refuses a login linked to no employee with FAILED_PRECONDITION, and a service with ROLE_REQUIRED", async () => {
    const { tenantId, workflow } = await tenantWithPeople();
    const unlinked = await as(tenantId, ["tenant_admin"]);
    const listing = await expectError(listOf(unlinked), Status.FAILED_PRECONDITION);
    expect(listing.reason).toBe("EMPLOYEE_LINK_REQUIRED");
    const watching = watch(unlinked);
    const refused = await expectError(watching.next(), Status.FAILED_PRECONDITION);
    expect(refused.reason).toBe("EMPLOYEE_LINK_REQUIRED");
    expect((await expectError(listOf(workflow), Status.PERMISSION_DENIED)).reason).toBe("ROLE_REQUIRED");
  });

  it("marks read and unread, lists unread only, and lists newest first on request", async () => {
    const { ada, workflow, asAda } = await tenantWithPeople();
    const first = await send(workflow, ada, { title: "first" });
    const second = await send(workflow, ada, { title: "second" });
    const third = await send(workflow, ada, { title: "third" });
    const mark = (id: string, read: boolean, etag = "") =>
      inbox.notifications.markNotificationRead({ requestId: randomUUID(), id, etag, read }, asAda);
    const { notification: read } = await mark(second.id, true, second.etag);
    expect(read!.readTime).toBeInstanceOf(Date);
    expect(read!.etag).not.toBe(second.etag);
    // Marking it read again keeps the first read time.
    expect((await mark(second.id, true)).notification!.readTime).toEqual(read!.readTime);
    expect((await listOf(asAda, { unreadOnly: true })).map((n) => n.title)).toEqual(["first", "third"]);
    expect((await listOf(asAda, { orderBy: "create_time desc" })).map((n) => n.title)).toEqual([
      "third",
      "second",
      "first",
    ]);
    expect((await mark(second.id, false)).notification!.readTime).toBeUndefined();
    expect((await listOf(asAda, { unreadOnly: true, orderBy: "create_time desc" })).map((n) => n.id)).toEqual([
      third.id,
      second.id,
      first.id,
    ]);
    const badOrder = await expectError(listOf(asAda, { orderBy: "title" }), Status.INVALID_ARGUMENT);
    expect(badOrder.fields).toEqual(["order_by"]);
  });
});

describe("watching notifications live", () => {
  it("streams a notification sent after the watch opened, not another person's, and ends when cancelled", async () => {
    const { ada, grace, workflow, asAda } = await tenantWithPeople();
    const before = await send(workflow, ada, { title: "before the watch" });
    const watching = watch(asAda);
    await watching.opened;
    await send(workflow, grace, { title: "for Grace" });
    const live = await send(workflow, ada, { title: "live" });
    expect(await watching.next()).toEqual(live);
    // The stream is now waiting: only a wake-up from the database brings the next one.
    const later = await send(workflow, ada, { title: "later" });
    expect(await watching.next()).toEqual(later);
    expect(before.id).not.toBe(live.id);
    const ending = watching.next();
    watching.cancel();
    const error = await ending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAbortError(error), String(error)).toBe(true);
  });

  it("starts after a given notification: those sent after it first, then live ones; refuses another's id", async () => {
    const { ada, grace, workflow, asAda } = await tenantWithPeople();
    const first = await send(workflow, ada, { title: "first" });
    const second = await send(workflow, ada, { title: "second" });
    const third = await send(workflow, ada, { title: "third" });
    const watching = watch(asAda, first.id);
    expect(await watching.next()).toEqual(second);
    expect(await watching.next()).toEqual(third);
    const live = await send(workflow, ada, { title: "live" });
    expect(await watching.next()).toEqual(live);
    watching.cancel();
    const toGrace = await send(workflow, grace);
    for (const id of [toGrace.id, "nope"]) {
      const refused = await expectError(watch(asAda, id).next(), Status.INVALID_ARGUMENT);
      expect(refused.fields).toEqual(["after_notification_id"]);
    }
  });

  it("shares one listening connection among every watcher of the process", async () => {
    const { ada, grace, workflow, asAda, asGrace } = await tenantWithPeople();
    const watchers = [watch(asAda), watch(asAda), watch(asGrace)];
    await Promise.all(watchers.map((w) => w.opened));
    const listening = await inbox.db.$queryRaw<{ count: bigint }[]>`
      SELECT count(*) AS count FROM pg_stat_activity
      WHERE datname = current_database() AND query ILIKE 'LISTEN %'`;
    expect(Number(listening[0]?.count)).toBe(1);
    const toAda = await send(workflow, ada);
    const toGrace = await send(workflow, grace);
    const received = await Promise.all(watchers.map((w) => w.next()));
    expect(received).toEqual([toAda, toAda, toGrace]);
    for (const w of watchers) w.cancel();
  });

  it("ends open watches with UNAVAILABLE when the server stops, instead of holding the shutdown", async () => {
    const own = await startInbox();
    try {
      const { ada, workflow, asAda } = await tenantWithPeople();
      const controller = new AbortController();
      let listening: () => void = () => {};
      const opened = new Promise<void>((resolve) => {
        listening = resolve;
      });
      const iterator = own.notifications
        .watchNotifications(
          { afterNotificationId: "" },
          { ...asAda, signal: controller.signal, onHeader: () => listening() },
        )
        [Symbol.asyncIterator]();
      const sendOnceOpen = async () => {
        await opened;
        return (await own.notifications.sendNotification(sendRequest(ada), workflow)).notification;
      };
      const [first, sent] = await Promise.all([iterator.next(), sendOnceOpen()]);
      expect(first.value?.notification).toEqual(sent);
      const [ending] = await Promise.all([expectError(iterator.next(), Status.UNAVAILABLE), own.server.stop()]);
      expect(ending.message).toMatch(/stopping/);
    } finally {
      await own.stop();
    }
  });
});
