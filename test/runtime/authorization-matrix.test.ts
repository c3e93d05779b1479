import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { type Channel, ClientError, Status } from "nice-grpc";
import { ErrorInfo, RichClientError } from "nice-grpc-error-details";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApplicationServiceDefinition } from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { DirectoryServiceDefinition } from "../../generated/proto/hr/directory/v1/directory_service.js";
import { DirectoryServiceDefinition as DirectoryV2Definition } from "../../generated/proto/hr/directory/v2/directory_service.js";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { NotificationServiceDefinition } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { OnboardingServiceDefinition } from "../../generated/proto/hr/onboarding/v1/onboarding_service.js";
import { OnboardingCaseServiceDefinition } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { JobOpeningServiceDefinition } from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import { SelfServiceDefinition } from "../../generated/proto/hr/selfservice/v1/self_service.js";
import { SessionServiceDefinition } from "../../generated/proto/hr/session/v1/session_service.js";
import { SessionServiceDefinition as SessionStoreDefinition } from "../../generated/proto/hr/sessionstore/v1/session_service.js";
import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { authorizationRules, scopeOf } from "../../runtime/auth/authorization-rules.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { as, newTenant } from "../support/callers.js";
import { startCases } from "../support/cases-under-test.js";
import { startDirectory } from "../support/directory-under-test.js";
import { startIdentity } from "../support/identity-under-test.js";
import { startInbox } from "../support/inbox-under-test.js";
import { startOnboarding } from "../support/onboarding-under-test.js";
import { startPeople } from "../support/people-under-test.js";
import { startSelfService } from "../support/self-service-under-test.js";
import { testClient } from "../support/service-under-test.js";
import { startSession } from "../support/session-under-test.js";
import { startTalent } from "../support/talent-under-test.js";
import { startTimeoff } from "../support/timeoff-under-test.js";

// The role × method matrix, generated from the descriptors: every method of
// every service, called over the wire by a caller holding exactly one role
// (and by one holding none), against the real servers. A cell the rule
// denies must be PERMISSION_DENIED (ROLE_REQUIRED); a cell it allows must get
// past authorization: any answer but PERMISSION_DENIED or UNAUTHENTICATED
// (requests are empty, so INVALID_ARGUMENT or NOT_FOUND are the usual ones).
// A cell allowed on the caller's own resources only names the caller's own
// account (the token's subject) and employee in its request.

const rules = authorizationRules(readFileSync(new URL("../../generated/descriptor.binpb", import.meta.url)));

const DEFINITIONS = [
  DepartmentServiceDefinition,
  EmployeeServiceDefinition,
  AccountServiceDefinition,
  JobOpeningServiceDefinition,
  ApplicationServiceDefinition,
  LeaveAccountServiceDefinition,
  NotificationServiceDefinition,
  DirectoryServiceDefinition,
  DirectoryV2Definition,
  SessionStoreDefinition,
  SessionServiceDefinition,
  SelfServiceDefinition,
  OnboardingCaseServiceDefinition,
  OnboardingServiceDefinition,
];

/** Which server serves each service, filled once they run. */
const channels = new Map<string, Channel>();
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const [people, identity, talent, timeoff, cases, inbox] = await Promise.all([
    startPeople(),
    startIdentity(),
    startTalent(),
    startTimeoff(),
    startCases(),
    startInbox(),
  ]);
  const onboarding = await startOnboarding({ people, identity, talent, timeoff, cases, inbox });
  const onboardingChannel = openChannel(`127.0.0.1:${onboarding.server.port}`);
  const directory = await startDirectory(people.address);
  const directoryChannel = openChannel(`127.0.0.1:${directory.server.port}`);
  const session = await startSession(identity.address);
  const sessionChannel = openChannel(`127.0.0.1:${session.server.port}`);
  const selfService = await startSelfService(people.address, timeoff.address, undefined, inbox.address);
  stops.push(
    cases.stop,
    people.stop,
    identity.stop,
    talent.stop,
    timeoff.stop,
    inbox.stop,
    directory.stop,
    session.stop,
    selfService.stop,
    async () => {
      directoryChannel.close();
      sessionChannel.close();
    },
    // Stopped first (the list runs backwards): the app's worker calls the data services.
    onboarding.stop,
    async () => onboardingChannel.close(),
  );
  for (const [service, channel] of [
    [DepartmentServiceDefinition, people.channel],
    [EmployeeServiceDefinition, people.channel],
    [AccountServiceDefinition, identity.channel],
    [JobOpeningServiceDefinition, talent.channel],
    [ApplicationServiceDefinition, talent.channel],
    [LeaveAccountServiceDefinition, timeoff.channel],
    [NotificationServiceDefinition, inbox.channel],
    [DirectoryServiceDefinition, directoryChannel],
    [DirectoryV2Definition, directoryChannel],
    [SessionStoreDefinition, identity.channel],
    [SessionServiceDefinition, sessionChannel],
    [SelfServiceDefinition, selfService.channel],
    [OnboardingCaseServiceDefinition, cases.channel],
    [OnboardingServiceDefinition, onboardingChannel],
  ] as const) {
    channels.set(service.fullName, channel);
  }
}, 60_000);
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** Calls `/service/method` with `request` as `caller`; answers the status it ended with. */
async function statusOf(path: string, request: object, caller: object): Promise<{ code: Status; reason?: string }> {
  const [, service = "", method = ""] = path.split("/");
  const definition = DEFINITIONS.find((d) => d.fullName === service);
  const channel = channels.get(service);
  if (definition === undefined || channel === undefined) throw new Error(`no server under test serves ${service}`);
  const [key = method, descriptor] = Object.entries(definition.methods).find(([, m]) => m.name === method) ?? [];
  // biome-ignore lint/suspicious/noExplicitAny: one generic call over every generated client.
  const client = testClient(definition as any, channel) as Record<string, (r: object, o: object) => unknown>;
  const call = client[key];
  if (call === undefined) throw new Error(`${service} has no method ${method}`);
  try {
    if (descriptor?.responseStream) {
      // A live stream never ends on its own: its header or first message is past authorization.
      const opened = new AbortController();
      const options = { ...caller, signal: opened.signal, onHeader: () => opened.abort() };
      try {
        for await (const _ of call(request, options) as AsyncIterable<unknown>) break;
      } catch (error) {
        if (!opened.signal.aborted) throw error;
      }
      return { code: Status.OK };
    }
    await call(request, caller);
    return { code: Status.OK };
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    const extra = error instanceof RichClientError ? error.extra : [];
    return { code: error.code, reason: extra.find((d) => d.$type === ErrorInfo.$type)?.reason };
  }
}

const CALLERS: [string, readonly string[]][] = [
  ...rules.roles.map((role) => [role, [role]] as [string, string[]]),
  ["no role", []],
];

describe("the role × method matrix", () => {
  it("covers every service of the descriptors", () => {
    const described = new Set([...rules.methods.keys()].map((path) => path.split("/")[1]));
    expect([...described].sort()).toEqual(DEFINITIONS.map((d) => d.fullName).sort());
  });

  for (const [path, rule] of rules.methods) {
    describe(path, () => {
      if (rule?.public) {
        // Open to everyone: called with no token at all, it gets past authentication and authorization
        // (the method's own refusals carry a reason; the middleware's UNAUTHENTICATED carries none).
        it("without a token", async () => {
          const { code, reason } = await statusOf(path, {}, {});
          expect(code).not.toBe(Status.PERMISSION_DENIED);
          if (code === Status.UNAUTHENTICATED) expect(reason).toBeDefined();
        });
        return;
      }
      it.each(CALLERS)("as %s", async (_, roles) => {
        const scope = rule && scopeOf(rule, roles);
        const self = { userId: randomUUID(), employeeId: randomUUID() };
        const caller = await as(newTenant(), roles, self);
        const request = scope === "own" ? { id: self.userId, employeeId: self.employeeId } : {};
        const { code, reason } = await statusOf(path, request, caller);
        if (scope === undefined) {
          expect({ code: Status[code], reason }).toEqual({ code: "PERMISSION_DENIED", reason: "ROLE_REQUIRED" });
        } else {
          expect([Status.PERMISSION_DENIED, Status.UNAUTHENTICATED], `${Status[code]} ${reason}`).not.toContain(code);
        }
      });
    });
  }
});
