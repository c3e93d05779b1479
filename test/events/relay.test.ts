import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { EmployeeHired, EmployeeTerminated } from "../../generated/proto/hr/employee/v1/employee_events.js";
import { databaseUrl, dropDatabase, ensureDatabase } from "../../runtime/db/databases.js";
import { sql } from "../../runtime/db/sql.js";
import { type Event, on, startConsumer } from "../../runtime/events/consumer.js";
import { readEventsSettings } from "../../runtime/events/events-config.js";
import { startServiceRelay } from "../../runtime/events/service-relay.js";
import { testLogger } from "../support/callers.js";
import { type EventsUnderTest, eventually, startEventsUnderTest } from "../support/events-under-test.js";
import { hiringTenant } from "../support/hires.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// The relay publishes a data service's outbox to the bus in order, at least
// once; the bus drops what it already holds, so a relay that stops between
// publishing and marking loses nothing and delivers nothing twice. Runs on
// the events database, or on JetStream when NATS_URL is set.

let people: PeopleUnderTest;
let events: EventsUnderTest;

beforeAll(async () => {
  [people, events] = await Promise.all([startPeople(), startEventsUnderTest()]);
});

afterAll(async () => {
  await events?.stop();
  await people?.stop();
});

const UNPUBLISHED = sql("SELECT count(*)::int AS n FROM outbox_event WHERE tenant_id = $1 AND published_at IS NULL");
const unpublished = async (tenantId: string) =>
  (await people.sql.rows<{ n: number }>(UNPUBLISHED, [tenantId]))[0]?.n ?? -1;
const OUTBOX_ORDER = sql("SELECT event_id AS id FROM outbox_event WHERE tenant_id = $1 ORDER BY position");
const outboxOrder = async (tenantId: string) =>
  (await people.sql.rows<{ id: string }>(OUTBOX_ORDER, [tenantId])).map((row) => row.id);

/** A consumer of people's employee events of one tenant, recording what it saw in order. */
async function recordingConsumer(tenantId: string, env = events.env) {
  const seen: Event[] = [];
  const record = async (_: unknown, event: Event) => {
    if (event.tenantId === tenantId) seen.push(event);
  };
  const consumer = await startConsumer({
    name: `relay-test-${randomUUID().slice(0, 8)}`,
    streams: ["people"],
    handlers: [
      on("hr.employee.v1.EmployeeHired", EmployeeHired, record),
      on("hr.employee.v1.EmployeeTerminated", EmployeeTerminated, record),
    ],
    logger: testLogger(),
    env,
  });
  return { seen, consumer };
}

describe(`the relay (${process.env.NATS_URL ? "NATS JetStream" : "events database"})`, () => {
  it("delivers a service's events in outbox order, each aggregate's versions increasing", async () => {
    const relay = await events.relay("people", people);
    const tenant = await hiringTenant(people);
    const { seen, consumer } = await recordingConsumer(tenant.tenantId);
    try {
      const hired: { id: string; etag: string }[] = [];
      for (const name of ["Ada", "Grace", "Edsger", "Barbara"]) hired.push(await tenant.hire(name));
      for (const employee of hired.slice(0, 2)) await tenant.terminate(employee);
      const order = await outboxOrder(tenant.tenantId);
      expect(order).toHaveLength(6);
      await eventually("the consumer saw all six events", () => seen.length >= 6);

      expect(seen.map((event) => event.eventId)).toEqual(order);
      const ada = seen.filter((event) => event.aggregateId === hired[0]?.id);
      expect(ada.map((event) => [event.aggregateVersion, event.payload?.typeUrl.split("/")[1]])).toEqual([
        [1, "hr.employee.v1.EmployeeHired"],
        [2, "hr.employee.v1.EmployeeTerminated"],
      ]);
      await eventually("the outbox rows are marked published", async () => (await unpublished(tenant.tenantId)) === 0);
      // Counted once marked: after the bus has the events, so a consumer may see them first.
      await eventually("the relay counted six published", () => relay.counts.get("published") >= 6);
    } finally {
      await consumer.stop();
      await relay.stop();
    }
  });

  it("republishes what it published but did not mark after a stop, and the bus delivers it once", async () => {
    const tenant = await hiringTenant(people);
    const { seen, consumer } = await recordingConsumer(tenant.tenantId);
    try {
      // The first relay "crashes" right after the bus accepted its batch: the rows stay unpublished.
      let crashed = false;
      const first = await events.relay("people", people, async () => {
        crashed = true;
        throw new Error("relay killed between publish and mark");
      });
      const hires = [await tenant.hire("Ada"), await tenant.hire("Grace")];
      await eventually("the first relay published a batch and crashed", () => crashed);
      await first.stop();
      expect(await unpublished(tenant.tenantId)).toBeGreaterThan(0);

      // A new relay (a restarted process) publishes the same rows again and marks them.
      const second = await events.relay("people", people);
      try {
        const third = await tenant.hire("Edsger");
        await eventually("every row is marked published", async () => (await unpublished(tenant.tenantId)) === 0);
        await eventually("the consumer saw the three hires", () => seen.length >= 3);
        // Give a duplicate every chance to arrive before counting.
        await tenant.hire("Barbara");
        await eventually("the consumer saw the fourth hire", () => seen.length >= 4);
        const ids = seen.map((event) => event.aggregateId);
        expect(ids).toEqual([...hires.map((e) => e.id), third.id, ids[3]]);
        expect(new Set(seen.map((event) => event.eventId)).size).toBe(seen.length);
        await eventually("the second relay counted its publishing", () => second.counts.get("published") >= 3);
      } finally {
        await second.stop();
      }
    } finally {
      await consumer.stop();
    }
  });

  it("runs one active relay per database: a second waits, then takes over when the first stops", async () => {
    const tenant = await hiringTenant(people);
    const { seen, consumer } = await recordingConsumer(tenant.tenantId);
    const active = await events.relay("people", people);
    const standby = await events.relay("people", people);
    try {
      await tenant.hire("Ada");
      await eventually("the consumer saw the first hire", () => seen.length >= 1);
      expect(standby.counts.get("published")).toBe(0);
      await active.stop();
      await tenant.hire("Grace");
      await eventually("the consumer saw the second hire", () => seen.length >= 2);
      await eventually("the standby counted what it published", () => standby.counts.get("published") >= 1);
      expect(new Set(seen.map((event) => event.eventId)).size).toBe(2);
    } finally {
      await standby.stop();
      await consumer.stop();
    }
  });

  // The events database stands in for any bus that does not answer yet (JetStream's case is the same code path).
  it.skipIf(process.env.NATS_URL)(
    "starts while its bus is unreachable, and publishes once the bus answers",
    async () => {
      const serverUrl = inject("postgresServerUrl");
      const name = `hr_test_events_late_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
      const env = { ...events.env, EVENTS_DATABASE_URL: databaseUrl(serverUrl, name) };
      const tenant = await hiringTenant(people);
      // The events database does not exist yet: the relay starts anyway, and the service goes on recording.
      const relay = await startServiceRelay(
        "people",
        people.sql,
        people.databaseUrl,
        readEventsSettings(env),
        testLogger(),
      );
      try {
        await tenant.hire("Ada");
        expect(relay?.counts.get("published")).toBe(0);
        await ensureDatabase(serverUrl, name);
        const { seen, consumer } = await recordingConsumer(tenant.tenantId, env);
        try {
          await eventually("the hire recorded while the bus was down reached the consumer", () => seen.length >= 1);
          expect(seen[0]?.aggregateType).toBe("hr.employee.v1.Employee");
        } finally {
          await consumer.stop();
        }
      } finally {
        await relay?.stop();
        await dropDatabase(serverUrl, name);
      }
    },
  );
});
