import { randomUUID } from "node:crypto";
import { ClientError, createChannel, createClient, Metadata, Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DEADLINE_HEADER } from "../../runtime/client/call-headers.js";
import { newTenant, tokenOf } from "../support/callers.js";
import { openConnectStream, type StreamEvent } from "../support/connect-stream.js";
import { callGateway } from "../support/gateway-under-test.js";
import { sampleValue, scrape, scrapeUntil } from "../support/metrics-scrape.js";
import { type PlatformUnderTest, SERVICES, startPlatform } from "../support/platform-under-test.js";

// Prometheus metrics of every process as `npm start` runs them: real calls
// through the gateway (one answered, and a live watch that outlives its
// deadline at every hop), one call straight to a data service with its
// deadline already past, then a scrape of each process's GET /metrics. Run alone:
//   npm test -- test/runtime/metrics.test.ts

const MY_PROFILE = "/hr.selfservice.v1.SelfService/GetMyProfile";
const WATCH = "/hr.selfservice.v1.SelfService/WatchMyNotifications";
const INBOX_WATCH = "/hr.notification.v1.NotificationService/WatchNotifications";
const GET_EMPLOYEE = "/hr.employee.v1.EmployeeService/GetEmployee";
const WATCH_MS = 1_500;

let platform: PlatformUnderTest | undefined;
/** A tenant TENANT_CLASSES names: its calls are labelled `enterprise`, never by its id. */
const enterprise = newTenant();

beforeAll(async () => {
  platform = await startPlatform({
    TENANT_CLASSES: `${enterprise}=enterprise`,
    // A watch's whole time, which the edge gives every hop as its deadline: the hops end it DEADLINE_EXCEEDED.
    GATEWAY_STREAM_MAX_MS: String(WATCH_MS),
  });
}, 180_000);

afterAll(async () => {
  await platform?.cleanUp();
});

function started(): PlatformUnderTest {
  if (platform === undefined) throw new Error("the platform did not start");
  return platform;
}

describe("Prometheus metrics", () => {
  it("every process answers GET /metrics in the text format with Node's own metrics, where npm start says", async () => {
    const { metricsPorts, launcher } = started();
    const processes = [...SERVICES, "gateway"] as const;
    const scrapes = await Promise.all(processes.map((name) => scrape(metricsPorts[name])));
    for (const [i, name] of processes.entries()) {
      const { status, contentType, text } = scrapes[i] ?? { status: 0, contentType: null, text: "" };
      expect({ name, status, contentType }).toEqual({
        name,
        status: 200,
        contentType: "text/plain; version=0.0.4; charset=utf-8",
      });
      expect(text).toContain("# TYPE nodejs_eventloop_lag_seconds gauge");
      expect(sampleValue(text, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
      expect(sampleValue(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
      expect(launcher.tail(200)).toContain(`http://127.0.0.1:${metricsPorts[name]}/metrics`);
    }
    expect((await scrape(metricsPorts.people, "/")).status).toBe(404);
  });

  it("counts calls per method by code and tenant class, deadline-exceeded ones included, at every hop", async () => {
    const { metricsPorts, ports, gatewayPort } = started();
    const gateway = `http://127.0.0.1:${gatewayPort}`;
    const token = await tokenOf(enterprise, "ada", ["employee"], randomUUID());
    const authorization = `Bearer ${token}`;

    // Answered: the gateway → self-service → people, who knows no such employee.
    const profile = await callGateway(gateway, MY_PROFILE, {}, { authorization });
    expect(profile.status).toBe(404);

    // Outlives its deadline: a live watch past GATEWAY_STREAM_MAX_MS, which the edge then ends as a
    // stream ends (the client watches again), while every hop below saw its deadline pass.
    const stream = await openConnectStream(`${gateway}${WATCH}`, {}, { authorization });
    expect(stream.status).toBe(200);
    let event: StreamEvent | undefined;
    do event = await stream.next();
    while (event?.kind === "message");
    expect(event).toEqual({ kind: "end" });

    // Straight to a data service with its deadline already past: refused before any work, before the token is read.
    const channel = createChannel(`127.0.0.1:${ports.people}`);
    const metadata = Metadata({ authorization, [DEADLINE_HEADER]: String(Date.now() - 1) });
    const late = await createClient(EmployeeServiceDefinition, channel)
      .getEmployee({ id: randomUUID() }, { metadata })
      .catch((error: unknown) => error);
    channel.close();
    expect(late).toBeInstanceOf(ClientError);
    expect((late as ClientError).code).toBe(Status.DEADLINE_EXCEEDED);

    const server = (name: string, method: string, code: string, tenantClass: string) => ({
      service_process: name,
      method,
      code,
      tenant_class: tenantClass,
    });
    // inbox ends its side of the watch after the gateway answered: scraped until it has.
    const inbox = await scrapeUntil(metricsPorts.inbox, "inbox records the watch", (text) => {
      const labels = server("inbox", INBOX_WATCH, "DEADLINE_EXCEEDED", "enterprise");
      return sampleValue(text, "rpc_server_calls_total", labels) === 1;
    });
    expect(
      sampleValue(inbox, "rpc_server_duration_seconds_count", { method: INBOX_WATCH, code: "DEADLINE_EXCEEDED" }),
    ).toBe(1);

    const selfService = await scrapeUntil(metricsPorts["self-service"], "self-service records the watch", (text) => {
      const labels = server("self-service", WATCH, "DEADLINE_EXCEEDED", "enterprise");
      return sampleValue(text, "rpc_server_calls_total", labels) === 1;
    });
    expect(
      sampleValue(selfService, "rpc_server_calls_total", server("self-service", MY_PROFILE, "NOT_FOUND", "enterprise")),
    ).toBe(1);
    expect(sampleValue(selfService, "rpc_client_calls_total", { method: GET_EMPLOYEE, code: "NOT_FOUND" })).toBe(1);
    expect(sampleValue(selfService, "rpc_client_calls_total", { method: INBOX_WATCH, code: "DEADLINE_EXCEEDED" })).toBe(
      1,
    );
    expect(sampleValue(selfService, "rpc_client_duration_seconds_count", { method: GET_EMPLOYEE })).toBe(1);

    const people = (await scrape(metricsPorts.people)).text;
    expect(
      sampleValue(people, "rpc_server_calls_total", server("people", GET_EMPLOYEE, "NOT_FOUND", "enterprise")),
    ).toBe(1);
    // Refused before authentication: no verified caller, so no tenant class.
    expect(
      sampleValue(people, "rpc_server_calls_total", server("people", GET_EMPLOYEE, "DEADLINE_EXCEEDED", "none")),
    ).toBe(1);
    expect(
      sampleValue(people, "admission_refusals_total", {
        service_process: "people",
        method: GET_EMPLOYEE,
        reason: "too_late",
      }),
    ).toBe(1);
    // The admission gate, the pool and the outbox, read live.
    expect(sampleValue(people, "admission_limit", { service_process: "people" })).toBeGreaterThan(0);
    expect(sampleValue(people, "admission_in_flight", { service_process: "people" })).toBe(0);
    expect(sampleValue(people, "db_pool_max_connections", { service_process: "people" })).toBe(10);
    // Present, not 0: the scrape's own outbox read may be waiting for a connection the pool opens for it.
    expect(sampleValue(people, "db_pool_waiting_requests", { service_process: "people" })).toBeGreaterThanOrEqual(0);
    expect(sampleValue(people, "events_relay_unpublished", { stream: "people" })).toBe(0);
    expect(sampleValue(people, "events_relay_lag_seconds", { stream: "people" })).toBe(0);

    const gatewayScrape = (await scrape(metricsPorts.gateway)).text;
    expect(sampleValue(gatewayScrape, "http_requests_total", { route: MY_PROFILE, status: "404" })).toBe(1);
    expect(sampleValue(gatewayScrape, "http_requests_total", { route: WATCH, status: "200" })).toBe(1);
    expect(sampleValue(gatewayScrape, "http_request_duration_seconds_count", { route: MY_PROFILE })).toBe(1);
    expect(sampleValue(gatewayScrape, "rpc_client_calls_total", { method: MY_PROFILE, code: "NOT_FOUND" })).toBe(1);
    expect(sampleValue(gatewayScrape, "rpc_client_calls_total", { method: WATCH, code: "DEADLINE_EXCEEDED" })).toBe(1);
    expect(
      sampleValue(gatewayScrape, "http_upstream_circuit_state", { upstream: "hr.selfservice.v1", state: "closed" }),
    ).toBe(1);

    const onboarding = (await scrape(metricsPorts.onboarding)).text;
    expect(sampleValue(onboarding, "events_parked", { consumer: "onboarding" })).toBe(0);
    expect(sampleValue(onboarding, "events_consumer_behind", { consumer: "onboarding" })).toBeGreaterThanOrEqual(0);

    // The tenant's id is in no label of any process.
    for (const text of [inbox, selfService, people, gatewayScrape, onboarding]) expect(text).not.toContain(enterprise);
  });

  it("labels a path the gateway does not route as one route, whatever the client sends", async () => {
    const { metricsPorts, gatewayPort } = started();
    const made_up = `/hr.nothing.v1.${randomUUID()}/Anything`;
    expect((await callGateway(`http://127.0.0.1:${gatewayPort}`, made_up, {})).status).toBe(404);
    const text = (await scrape(metricsPorts.gateway)).text;
    expect(text).not.toContain(made_up);
    expect(sampleValue(text, "http_requests_total", { route: "other", status: "404" })).toBeGreaterThanOrEqual(1);
  });
});
