import { randomUUID } from "node:crypto";
import { ClientError, Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeHired } from "../../generated/proto/hr/employee/v1/employee_events.js";
import { type Event, on, requestIdFor, startConsumer } from "../../runtime/events/consumer.js";
import { runEventsCommand } from "../../runtime/events/parked-command.js";
import { listParked } from "../../runtime/events/parked-events.js";
import type { RunningRelay } from "../../runtime/events/relay.js";
import { testLogger } from "../support/callers.js";
import { capturedLogs } from "../support/captured-logs.js";
import { type EventsUnderTest, eventually, startEventsUnderTest } from "../support/events-under-test.js";
import { hiringTenant } from "../support/hires.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// A consumer's side of the bus: a failing handler is retried with backoff
// and acts once when it succeeds; one that keeps failing is parked (unless
// its failure is transient: then it waits), counted,
// listed by the operator command and delivered again by a replay; of two
// replicas of a consumer one is active and each event is handled once.
// EVENTS_RETRY_MAX_ATTEMPTS is 3 here (events-under-test.ts).

let people: PeopleUnderTest;
let events: EventsUnderTest;
let relay: RunningRelay;

beforeAll(async () => {
  [people, events] = await Promise.all([startPeople(), startEventsUnderTest()]);
  relay = await events.relay("people", people);
});

afterAll(async () => {
  await events?.stop();
  await people?.stop();
});

const consumerName = () => `consumer-test-${randomUUID().slice(0, 8)}`;

/** Output lines of the operator command. */
async function operator(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  await runEventsCommand(args, events.db, (line) => lines.push(line));
  return lines;
}

describe(`a consumer (${process.env.NATS_URL ? "NATS JetStream" : "events database"})`, () => {
  it("retries a handler that fails twice, then acts once, and skips the types it has no handler for", async () => {
    const tenant = await hiringTenant(people);
    const attempts = new Map<string, number>();
    const acted: string[] = [];
    const consumer = await startConsumer({
      name: consumerName(),
      streams: ["people"],
      handlers: [
        on("hr.employee.v1.EmployeeHired", EmployeeHired, async (hired, event) => {
          if (event.tenantId !== tenant.tenantId) return;
          const attempt = (attempts.get(event.eventId) ?? 0) + 1;
          attempts.set(event.eventId, attempt);
          if (attempt <= 2) throw new Error(`attempt ${attempt} fails`);
          acted.push(hired.employeeId);
        }),
      ],
      logger: testLogger(),
      env: events.env,
    });
    try {
      const ada = await tenant.hire("Ada");
      // A termination has no handler here: acknowledged and skipped, the next event still comes.
      await tenant.terminate(ada);
      const grace = await tenant.hire("Grace");
      await eventually("both hires were acted on", () => acted.length >= 2);
      expect(acted).toEqual([ada.id, grace.id]);
      expect([...attempts.values()]).toEqual([3, 3]);
      expect(await listParked(events.db)).toEqual([]);
    } finally {
      await consumer.stop();
    }
  });

  it("never parks an event whose handler fails only because a service it calls is unavailable: it waits, in order", async () => {
    const tenant = await hiringTenant(people);
    const attempts = new Map<string, number>();
    const acted: string[] = [];
    const consumer = await startConsumer({
      name: consumerName(),
      streams: ["people"],
      handlers: [
        on("hr.employee.v1.EmployeeHired", EmployeeHired, async (hired, event) => {
          if (event.tenantId !== tenant.tenantId) return;
          const attempt = (attempts.get(event.eventId) ?? 0) + 1;
          attempts.set(event.eventId, attempt);
          // Twice the attempts that park a failing event (3 here), as a restarting inbox would answer.
          if (hired.givenName === "Ada" && attempt <= 6) throw new ClientError("/inbox", Status.UNAVAILABLE, "down");
          acted.push(hired.givenName);
        }),
      ],
      logger: testLogger(),
      env: events.env,
    });
    try {
      await tenant.hire("Ada");
      await tenant.hire("Grace");
      await eventually("both hires were acted on", () => acted.length >= 2, 20_000);
      expect(acted).toEqual(["Ada", "Grace"]);
      expect([...attempts.values()]).toEqual([7, 1]);
      expect(await listParked(events.db)).toEqual([]);
    } finally {
      await consumer.stop();
    }
  });

  it("parks an event whose handler always fails, goes on, lists it, and a replay delivers it once it succeeds", async () => {
    const tenant = await hiringTenant(people);
    const name = consumerName();
    const logs = capturedLogs<{ msg: string; counts?: Record<string, number> }>();
    let broken = true;
    const acted: string[] = [];
    const consumer = await startConsumer({
      name,
      streams: ["people"],
      handlers: [
        on("hr.employee.v1.EmployeeHired", EmployeeHired, async (hired, event) => {
          if (event.tenantId !== tenant.tenantId) return;
          if (broken && hired.givenName === "Broken") throw new Error("the department's mailbox is full");
          acted.push(hired.givenName);
        }),
      ],
      logger: logs.logger,
      env: events.env,
    });
    try {
      const parkedHire = await tenant.hire("Broken");
      await tenant.hire("Next");
      await eventually("the next event was delivered after the parked one", () => acted.includes("Next"));
      expect(acted).toEqual(["Next"]);

      const parked = await listParked(events.db);
      expect(parked).toHaveLength(1);
      expect(parked[0]).toMatchObject({
        consumer: name,
        stream: "people",
        eventType: "hr.employee.v1.EmployeeHired",
        attempts: 3,
        replayRequestedAt: null,
      });
      expect(parked[0]?.lastError).toContain("the department's mailbox is full");
      const listing = await operator("parked");
      expect(listing[0]).toBe("parked events: 1");
      expect(listing[1]).toBe(`  ${name}: 1`);
      expect(listing[2]).toContain(`${name} ${parked[0]?.eventId} people hr.employee.v1.EmployeeHired attempts=3`);

      broken = false;
      expect(await operator("replay", name)).toEqual([`replay requested for 1 parked event(s) of ${name}`]);
      await eventually("the replayed event was handled", () => acted.includes("Broken"));
      await eventually("the parked row is gone", async () => (await listParked(events.db)).length === 0);
      expect(acted).toEqual(["Next", "Broken"]);
      expect(parkedHire.id).toBeTruthy();
    } finally {
      await consumer.stop();
    }
    const counts = logs.lines.filter((line) => line.msg === "consumer counts");
    expect(counts.at(-1)?.counts).toMatchObject({ retried: 2, parked: 1, replayed: 1 });
  });

  it("refuses a replay of ids that are no event ids, and says which asked ids are not parked", async () => {
    await expect(operator("replay", "someone", "not-an-id")).rejects.toThrow("not event ids: not-an-id");
    await expect(operator("unknown")).rejects.toThrow("usage: npm run events");
    const missing = randomUUID();
    expect(await operator("replay", "someone", missing)).toEqual([
      "replay requested for 0 parked event(s) of someone",
      `not parked for someone: ${missing}`,
    ]);
  });

  it("runs one active replica of a consumer: each event handled once, the other takes over when it stops", async () => {
    const tenant = await hiringTenant(people);
    const name = consumerName();
    const handledBy = new Map<string, string[]>();
    const replica = (label: string) =>
      startConsumer({
        name,
        streams: ["people"],
        handlers: [
          on("hr.employee.v1.EmployeeHired", EmployeeHired, async (_, event: Event) => {
            if (event.tenantId !== tenant.tenantId) return;
            handledBy.set(event.eventId, [...(handledBy.get(event.eventId) ?? []), label]);
          }),
        ],
        logger: testLogger(),
        env: events.env,
      });
    const first = await replica("first");
    const second = await replica("second");
    try {
      for (const person of ["Ada", "Grace", "Edsger"]) await tenant.hire(person);
      await eventually("three hires handled", () => handledBy.size >= 3);
      await first.stop();
      for (const person of ["Barbara", "Alan"]) await tenant.hire(person);
      await eventually("five hires handled", () => handledBy.size >= 5);
      const labels = [...handledBy.values()];
      expect(labels.every((by) => by.length === 1)).toBe(true);
      expect(labels.slice(0, 3).flat()).toEqual(["first", "first", "first"]);
      expect(labels.slice(3).flat()).toEqual(["second", "second"]);
    } finally {
      await second.stop();
    }
    await eventually("the relay counted the five hires", () => relay.counts.get("published") >= 5);
  });
});

describe("requestIdFor", () => {
  it("derives the same request id from the same event and step, and different ones otherwise", () => {
    const eventId = randomUUID();
    const id = requestIdFor(eventId, "hire");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIdFor(eventId, "hire")).toBe(id);
    expect(requestIdFor(eventId, "login")).not.toBe(id);
    expect(requestIdFor(randomUUID(), "hire")).not.toBe(id);
  });
});
