import { randomBytes, randomUUID } from "node:crypto";
import type { Channel } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { AccountServiceDefinition, Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { LeaveAccountServiceDefinition, LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { ConfigError } from "../../runtime/config.js";
import { readTracingSettings } from "../../runtime/tracing/tracing-config.js";
import { as, newTenant, tokenOf } from "../support/callers.js";
import { callGateway } from "../support/gateway-under-test.js";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "../support/otlp-receiver.js";
import { hire, PASSWORD } from "../support/people-with-logins.js";
import { type PlatformUnderTest, startPlatform } from "../support/platform-under-test.js";
import { testClient } from "../support/service-under-test.js";

// Traces of the platform as `npm start` runs it: every process exports its
// spans over OTLP/HTTP (JSON) to a receiver in this test, which then checks
// the tree of one real call through the gateway, down to its SQL, and across
// one event to its consumer. Run alone:
//   npm test -- test/runtime/tracing.test.ts

let receiver: OtlpReceiver;
let platform: PlatformUnderTest | undefined;
const channels: Channel[] = [];

function running(): PlatformUnderTest {
  if (platform === undefined) throw new Error("the platform did not start");
  return platform;
}

function dataClient<D extends Parameters<typeof testClient>[0]>(definition: D, port: number) {
  const channel = openChannel(`127.0.0.1:${port}`);
  channels.push(channel);
  return testClient(definition, channel);
}

/** A caller's own trace context: the test is the client whose trace the gateway continues. */
function callerTrace() {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

function call(route: string, body: unknown, headers: Record<string, string> = {}) {
  return callGateway(`http://127.0.0.1:${running().gatewayPort}`, route, body, headers);
}

/** An HR administrator's set-up, straight to the data services: a manager and their report, each with a login. */
async function managerAndReport() {
  const tenantId = newTenant();
  const admin = await as(tenantId);
  const { ports } = running();
  const people = {
    departments: dataClient(DepartmentServiceDefinition, ports.people),
    employees: dataClient(EmployeeServiceDefinition, ports.people),
  };
  const accounts = dataClient(AccountServiceDefinition, ports.identity);
  const login = async (employeeId: string, displayName: string, roles: Role[]) => {
    const loginName = `${randomUUID()}@example.com`;
    const account = { loginName, employeeId, displayName, initialPassword: PASSWORD, roles };
    await accounts.createAccount({ requestId: randomUUID(), ...account }, admin);
    return loginName;
  };
  const managerId = await hire(people, admin, "Grace");
  const employeeId = await hire(people, admin, "Ada", managerId);
  const { leaveAccount } = await dataClient(LeaveAccountServiceDefinition, ports.timeoff).openLeaveAccount(
    {
      requestId: randomUUID(),
      employeeId,
      leaveType: LeaveType.LEAVE_TYPE_ANNUAL,
      year: 2099,
      entitlementHalfDays: 40,
    },
    admin,
  );
  return {
    tenantId,
    employeeId,
    leaveAccountId: leaveAccount?.id ?? "",
    manager: await login(managerId, "Grace", [Role.ROLE_EMPLOYEE, Role.ROLE_MANAGER]),
    report: await login(employeeId, "Ada", [Role.ROLE_EMPLOYEE]),
  };
}

/** Signs in through the gateway; the access token. */
async function signIn(tenantId: string, loginName: string): Promise<string> {
  const response = await call("/hr.session.v1.SessionService/Login", { tenantId, loginName, password: PASSWORD });
  expect(response.status).toBe(200);
  return ((await response.json()) as { tokens: { accessToken: string } }).tokens.accessToken;
}

/** The spans received so far of one trace, by span id. */
function traceOf(traceId: string): Map<string, ReceivedSpan> {
  return new Map(receiver.spans.filter((span) => span.traceId === traceId).map((span) => [span.spanId, span]));
}

/** `span` and its ancestors, up to the first whose parent was not received (the caller's own span). */
function pathUp(trace: Map<string, ReceivedSpan>, span: ReceivedSpan): ReceivedSpan[] {
  const path = [span];
  for (let parent = trace.get(span.parentSpanId); parent !== undefined; parent = trace.get(parent.parentSpanId)) {
    path.push(parent);
  }
  return path;
}

/**
 * Waits until `found` finds something in the spans of trace `traceId` received
 * so far (processes export in batches, each on its own); when it never does,
 * fails with the spans of that trace that did arrive.
 */
async function received<T>(what: string, traceId: string, found: (trace: Map<string, ReceivedSpan>) => T | undefined) {
  for (let waited = 0; waited < 20_000; waited += 50) {
    const result = found(traceOf(traceId));
    if (result !== undefined) return result;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const spans = [...traceOf(traceId).values()].map((span) => `${step(span)} ${span.spanId} <- ${span.parentSpanId}`);
  throw new Error(
    `no ${what} in trace ${traceId}; its spans received:\n${spans.join("\n")}\nrefused: ${receiver.refused}`,
  );
}

const START_ONBOARDING = "/hr.onboarding.v1.OnboardingService/StartOnboarding";

/** A span's place in the tree, as the assertions read it: process, kind and name. */
const step = (span: ReceivedSpan) => `${span.service} ${span.kind} ${span.name}`;

describe("traces of the platform as npm start runs it", () => {
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    platform = await startPlatform({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      // Spans leave each process within a tenth of a second: the test does not wait for the default 5 s.
      OTEL_BSP_SCHEDULE_DELAY: "100",
    });
  }, 180_000);

  afterAll(async () => {
    for (const channel of channels) channel.close();
    await platform?.cleanUp();
    await receiver?.close();
  });

  it("makes one HTTP call through the gateway one trace, from the edge through the app and the data service to each SQL statement", async () => {
    const team = await managerAndReport();
    const token = await signIn(team.tenantId, team.report);
    const caller = callerTrace();
    const profile = await call(
      "/hr.selfservice.v1.SelfService/GetMyProfile",
      {},
      { authorization: `Bearer ${token}`, traceparent: caller.traceparent },
    );
    expect(profile.status).toBe(200);

    // The path from a SQL statement of the people service up to the caller's span.
    const path = await received("SQL span of the people service under the gateway's", caller.traceId, (trace) => {
      for (const span of trace.values()) {
        if (span.service !== "people" || span.attributes["db.system.name"] !== "postgresql") continue;
        const up = pathUp(trace, span);
        if (up.at(-1)?.parentSpanId === caller.spanId) return up;
      }
      return undefined;
    });
    expect(path.map(step)).toEqual([
      expect.stringMatching(/^people client SELECT /),
      "people server hr.employee.v1.EmployeeService/GetEmployee",
      "self-service client hr.employee.v1.EmployeeService/GetEmployee",
      "self-service server hr.selfservice.v1.SelfService/GetMyProfile",
      "gateway client hr.selfservice.v1.SelfService/GetMyProfile",
      "gateway server POST /hr.selfservice.v1.SelfService/GetMyProfile",
    ]);
    const [sql, , , , , edge] = path;
    // The statement as prepared, with placeholders: the values (the employee's id) never reach a span.
    expect(sql?.attributes["db.query.text"]).toMatch(/\$1/);
    expect(String(sql?.attributes["db.query.text"])).not.toContain(team.employeeId);
    expect(sql?.attributes["db.namespace"]).toMatch(/_people$/);
    // The edge's span names the request id it answered with, as the log lines do.
    expect(edge?.attributes["hr.request_id"]).toBe(profile.headers.get("x-request-id"));
    expect(edge?.attributes["http.response.status_code"]).toBe(200);

    // Health probes make no traces; a SQL statement is never a trace of its own.
    expect(receiver.spans.filter((span) => span.name.startsWith("grpc."))).toEqual([]);
    expect(receiver.spans.filter((span) => span.attributes["db.system.name"] && span.parentSpanId === "")).toEqual([]);
    expect(receiver.refused).toEqual([]);
  });

  it("continues the trace across an event: the consumer's handling is a child of the command that recorded it", async () => {
    const team = await managerAndReport();
    const reportToken = await signIn(team.tenantId, team.report);
    const asked = await call(
      "/hr.selfservice.v1.SelfService/RequestMyLeave",
      { requestId: randomUUID(), leaveAccountId: team.leaveAccountId, startDate: "2099-03-02", endDate: "2099-03-03" },
      { authorization: `Bearer ${reportToken}` },
    );
    expect(asked.status).toBe(200);
    const { leaveRequest } = (await asked.json()) as { leaveRequest: { id: string } };

    // The manager's approval: timeoff records LeaveRequestDecided, onboarding's consumer tells the report (inbox).
    const caller = callerTrace();
    const approved = await call(
      "/hr.selfservice.v1.SelfService/ApproveTeamLeave",
      { requestId: randomUUID(), leaveAccountId: team.leaveAccountId, leaveRequestId: leaveRequest.id },
      { authorization: `Bearer ${await signIn(team.tenantId, team.manager)}`, traceparent: caller.traceparent },
    );
    expect(approved.status).toBe(200);

    // The path from a SQL statement of the inbox service (storing the notification) up to the caller's span.
    const path = await received("inbox SQL span under the consumer's span", caller.traceId, (trace) => {
      for (const span of trace.values()) {
        if (span.service !== "inbox" || span.attributes["db.system.name"] !== "postgresql") continue;
        const up = pathUp(trace, span);
        if (up.at(-1)?.parentSpanId === caller.spanId) return up;
      }
      return undefined;
    });
    expect(path.map(step)).toEqual([
      expect.stringMatching(/^inbox client [A-Z]+ /),
      "inbox server hr.notification.v1.NotificationService/SendNotification",
      "onboarding client hr.notification.v1.NotificationService/SendNotification",
      "onboarding consumer process hr.timeoff.v1.LeaveRequestDecided",
      "timeoff server hr.timeoff.v1.LeaveAccountService/ApproveLeave",
      "self-service client hr.timeoff.v1.LeaveAccountService/ApproveLeave",
      "self-service server hr.selfservice.v1.SelfService/ApproveTeamLeave",
      "gateway client hr.selfservice.v1.SelfService/ApproveTeamLeave",
      "gateway server POST /hr.selfservice.v1.SelfService/ApproveTeamLeave",
    ]);
    expect(path[3]?.attributes).toMatchObject({
      "messaging.consumer.group.name": "onboarding",
      "messaging.destination.name": "timeoff",
      "hr.event.attempt": 1,
    });
  });

  it("runs each onboarding case as a trace of its own, whose events' consumers continue it, apart from the call that started it", async () => {
    const tenantId = newTenant();
    const people = dataClient(DepartmentServiceDefinition, running().ports.people);
    const code = `T-${randomUUID().slice(0, 8)}`;
    const { department } = await people.createDepartment(
      { requestId: randomUUID(), name: "Engineering", code, parentDepartmentId: "", headEmployeeId: "" },
      await as(tenantId),
    );
    const email = `${randomUUID()}@example.com`;
    const newHire = {
      ...{ givenName: "Grace", familyName: "Hopper", workEmail: email, departmentId: department?.id, loginName: email },
      ...{ startDate: "2027-01-04", roles: ["ROLE_EMPLOYEE"], leaveEntitlements: [] },
    };
    const headers = { authorization: `Bearer ${await tokenOf(tenantId, "hr-user", ["hr_admin"])}` };
    const request = { requestId: randomUUID(), newHire };
    // Right after the start, the app's channel to the cases service may still be backing off from a
    // connection refused while cases was starting (UNAVAILABLE): the same request again, until it answers.
    let caller = callerTrace();
    let started = await call(START_ONBOARDING, request, { ...headers, traceparent: caller.traceparent });
    for (let tries = 1; started.status === 503 && tries < 40; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      caller = callerTrace();
      started = await call(START_ONBOARDING, request, { ...headers, traceparent: caller.traceparent });
    }
    const answer = await started.text();
    expect(started.status, answer).toBe(200);
    const { onboarding } = JSON.parse(answer) as { onboarding: { id: string } };

    // The worker's run of the case: a trace of its own, with the hire, and the consumer of the login it created.
    const run = await received("run of the case", caller.traceId, () =>
      receiver.spans.find(
        (span) => span.name === "run onboarding case" && span.attributes["hr.onboarding_case_id"] === onboarding.id,
      ),
    );
    expect(run.parentSpanId).toBe("");
    const inRun = await received("consumer of LoginCreated in the case's run", run.traceId, (trace) => {
      const names = [...trace.values()].map(step);
      return names.includes("onboarding consumer process hr.identity.v1.LoginCreated") ? names : undefined;
    });
    expect(inRun).toContain("people server hr.employee.v1.EmployeeService/HireEmployee");
    expect(inRun).toContain("identity server hr.identity.v1.AccountService/CreateAccount");

    // The call that started it holds the edge, the app and the cases service only: the worker it woke polls
    // and runs cases of every tenant, none of it in this trace (background polls are traced nowhere).
    const startedTrace = await received("StartOnboarding at the edge", caller.traceId, (trace) => {
      const spans = [...trace.values()];
      return spans.some((span) => span.service === "gateway") ? spans : undefined;
    });
    expect(new Set(startedTrace.map((span) => span.service))).toEqual(new Set(["gateway", "onboarding", "cases"]));
    const polls = receiver.spans.filter((span) => /\/(ListTenantsWithDueCases|ListCases)$/.test(span.name));
    expect(polls.map(step)).toEqual([]);
  });
});

describe("tracing's configuration", () => {
  it("is off without an OTLP endpoint, and refuses an exporter protocol it has no exporter for, or no URL", () => {
    expect(readTracingSettings({})).toBeUndefined();
    expect(
      readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" }),
    ).toBe(undefined);
    expect(readTracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toEqual({
      protocol: "http/protobuf",
    });
    expect(() =>
      readTracingSettings({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4317",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      }),
    ).toThrow(new ConfigError('OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json, got "grpc"'));
    expect(() => readTracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(
      new ConfigError(
        'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL such as http://127.0.0.1:4318, got "collector:4318"',
      ),
    );
  });
});
