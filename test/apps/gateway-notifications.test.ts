import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { as, type Caller, newTenant, tokenOf } from "../support/callers.js";
import { openConnectStream } from "../support/connect-stream.js";
import { startGatewayUnderTest } from "../support/gateway-under-test.js";
import { type InboxUnderTest, startInbox } from "../support/inbox-under-test.js";
import { type SelfServiceUnderTest, startSelfService } from "../support/self-service-under-test.js";

// WatchMyNotifications over HTTP through the gateway, as a web client reads a
// Connect server stream: real gateway, self-service and inbox servers.
// Run alone: npm test -- test/apps/gateway-notifications.test.ts

const UNUSED = "127.0.0.1:1";
const WATCH = "/hr.selfservice.v1.SelfService/WatchMyNotifications";

let inbox: InboxUnderTest;
let app: SelfServiceUnderTest;
let gateway: Awaited<ReturnType<typeof startGatewayUnderTest>>;
beforeAll(async () => {
  inbox = await startInbox();
  app = await startSelfService(UNUSED, UNUSED, undefined, inbox.address);
  // A unary budget far shorter than a stream's, so that a stream outliving it shows.
  gateway = await startGatewayUnderTest(
    { "hr.selfservice.v1": `127.0.0.1:${app.server.port}` },
    { GATEWAY_DEADLINE_MS: "400", GATEWAY_STREAM_MAX_MS: "2500" },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await app?.stop();
  await inbox?.stop();
});

async function person(tenantId: string, name: string) {
  const employeeId = randomUUID();
  const token = await tokenOf(tenantId, name, ["employee"], employeeId);
  return { employeeId, headers: { authorization: `Bearer ${token}` } };
}

async function send(workflow: Caller, recipientEmployeeId: string, title: string) {
  const request = {
    requestId: randomUUID(),
    recipientEmployeeId,
    kind: NotificationKind.NOTIFICATION_KIND_WELCOME,
    title,
    body: "",
    subject: `employees/${recipientEmployeeId}`,
  };
  return (await inbox.notifications.sendNotification(request, workflow)).notification!;
}

/** A watch through the gateway, once its first message (the stream listens) has arrived. */
async function watchOverHttp(headers: Record<string, string>, signal?: AbortSignal) {
  const stream = await openConnectStream(`${gateway.baseUrl}${WATCH}`, {}, headers, signal);
  expect(stream.status).toBe(200);
  expect(stream.headers.get("content-type")).toBe("application/connect+json");
  expect(await stream.next()).toEqual({ kind: "message", message: {} });
  return stream;
}

describe("WatchMyNotifications through the gateway", () => {
  it("delivers a notification sent after the stream opened to its recipient's stream, and not to another's", async () => {
    const tenantId = newTenant();
    const workflow = await as(tenantId, ["workflow_service"]);
    const [ada, grace] = await Promise.all([person(tenantId, "ada"), person(tenantId, "grace")]);
    const controller = new AbortController();
    const [adaStream, graceStream] = await Promise.all([
      watchOverHttp(ada.headers, controller.signal),
      watchOverHttp(grace.headers, controller.signal),
    ]);
    const toAda = await send(workflow, ada.employeeId, "Welcome, Ada");
    const toGrace = await send(workflow, grace.employeeId, "Welcome, Grace");
    const [adaGot, graceGot] = await Promise.all([adaStream.next(), graceStream.next()]);
    expect(adaGot).toMatchObject({
      kind: "message",
      message: { notification: { id: toAda.id, title: "Welcome, Ada" } },
    });
    // Grace's first notification is hers: Ada's, sent before it, never reached her stream.
    expect(graceGot).toMatchObject({ kind: "message", message: { notification: { id: toGrace.id } } });
    controller.abort();
  });

  it("outlives the unary budget, then ends normally when the stream's own limit is up", async () => {
    const tenantId = newTenant();
    const workflow = await as(tenantId, ["workflow_service"]);
    const ada = await person(tenantId, "ada");
    const stream = await watchOverHttp(ada.headers);
    // Twice the unary budget (400 ms) passes with the stream open.
    await new Promise((resolve) => setTimeout(resolve, 800));
    const late = await send(workflow, ada.employeeId, "after the unary budget");
    expect(await stream.next()).toMatchObject({ kind: "message", message: { notification: { id: late.id } } });
    expect(await stream.next()).toEqual({ kind: "end", error: undefined });
  });

  it("refuses a stream without a valid token before anything is streamed", async () => {
    // A Connect stream tells its error in its end-stream message (HTTP 200), as Connect clients read it.
    const stream = await openConnectStream(`${gateway.baseUrl}${WATCH}`, {}, { authorization: "Bearer nope" });
    expect(await stream.next()).toMatchObject({ kind: "end", error: { code: "unauthenticated" } });
    expect(await stream.next()).toBeUndefined();
  });
});
