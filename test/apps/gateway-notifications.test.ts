import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotificationKind } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { as, type Caller, newTenant, tokenOf } from "../support/callers.js";
import { openConnectStream } from "../support/connect-stream.js";
import { startGatewayUnderTest } from "../support/gateway-under-test.js";
import { launchChromium, skipBrowserTests } from "../support/headless-chromium.js";
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

  it("ends open streams normally when the gateway stops, so that they do not hold its drain", async () => {
    const own = await startGatewayUnderTest({ "hr.selfservice.v1": `127.0.0.1:${app.server.port}` });
    const ada = await person(newTenant(), "ada");
    const stream = await openConnectStream(`${own.baseUrl}${WATCH}`, {}, ada.headers);
    expect(await stream.next()).toEqual({ kind: "message", message: {} });
    const [ending] = await Promise.all([stream.next(), own.stop()]);
    expect(ending).toEqual({ kind: "end", error: undefined });
  });

  it("refuses a stream without a valid token before anything is streamed", async () => {
    // A Connect stream tells its error in its end-stream message (HTTP 200), as Connect clients read it.
    const stream = await openConnectStream(`${gateway.baseUrl}${WATCH}`, {}, { authorization: "Bearer nope" });
    expect(await stream.next()).toMatchObject({ kind: "end", error: { code: "unauthenticated" } });
    expect(await stream.next()).toBeUndefined();
  });
});

/**
 * A web page of another origin (localhost) that holds a token (in its URL's
 * fragment, never sent to a server) and watches its person's notifications
 * through the gateway with fetch, reading the Connect stream as it comes:
 * `window.streamOpen` once the first message (the stream listens) is in,
 * `window.received` the notifications since.
 */
const WATCH_PAGE = `<!doctype html><meta charset="utf-8"><title>inbox</title><script>
window.received = [];
window.streamOpen = false;
(async () => {
  const { gateway, token } = Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
  const json = new TextEncoder().encode("{}");
  const body = new Uint8Array(5 + json.length);
  new DataView(body.buffer).setUint32(1, json.length);
  body.set(json, 5);
  const response = await fetch(gateway + "${WATCH}", {
    method: "POST",
    headers: { "content-type": "application/connect+json", "connect-protocol-version": "1", authorization: "Bearer " + token },
    body,
  });
  const reader = response.body.getReader();
  let buffered = new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const joined = new Uint8Array(buffered.length + value.length);
    joined.set(buffered);
    joined.set(value, buffered.length);
    buffered = joined;
    while (buffered.length >= 5) {
      const length = new DataView(buffered.buffer, buffered.byteOffset).getUint32(1);
      if (buffered.length < 5 + length) break;
      const message = JSON.parse(new TextDecoder().decode(buffered.slice(5, 5 + length)));
      if ((buffered[0] & 2) === 0) {
        if (message.notification) window.received.push(message.notification);
        else window.streamOpen = true;
      }
      buffered = buffered.slice(5 + length);
    }
  }
})();
</script>`;

describe.skipIf(skipBrowserTests())("a web page in headless Chromium", () => {
  let page: Server;
  let pageOrigin: string;
  let corsGateway: Awaited<ReturnType<typeof startGatewayUnderTest>>;
  beforeAll(async () => {
    page = createServer((_, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(WATCH_PAGE);
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    pageOrigin = `http://localhost:${(page.address() as AddressInfo).port}`;
    corsGateway = await startGatewayUnderTest(
      { "hr.selfservice.v1": `127.0.0.1:${app.server.port}` },
      { GATEWAY_CORS_ORIGINS: pageOrigin },
    );
  });
  afterAll(async () => {
    await corsGateway?.stop();
    await new Promise((resolve) => page?.close(resolve));
  });

  it("receives its person's notification live, sent after its stream opened", async () => {
    const tenantId = newTenant();
    const workflow = await as(tenantId, ["workflow_service"]);
    const ada = randomUUID();
    const token = await tokenOf(tenantId, "ada", ["employee"], ada);
    const browser = await launchChromium();
    try {
      const tab = await browser.context.newPage();
      const fragment = new URLSearchParams({ gateway: corsGateway.baseUrl, token });
      await tab.goto(`${pageOrigin}/#${fragment}`);
      await tab.waitForFunction(() => (globalThis as unknown as { streamOpen: boolean }).streamOpen, undefined, {
        timeout: 15_000,
      });
      const sent = await send(workflow, ada, "Welcome to the team, Ada");
      await tab.waitForFunction(() => (globalThis as unknown as { received: unknown[] }).received.length > 0);
      const received = await tab.evaluate(() => (globalThis as unknown as { received: unknown[] }).received);
      expect(received).toEqual([expect.objectContaining({ id: sent.id, title: "Welcome to the team, Ada" })]);
    } finally {
      await browser.close();
    }
  });
});
