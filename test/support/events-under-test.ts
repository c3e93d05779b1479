import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { inject } from "vitest";
import type { Env } from "../../runtime/config.js";
import { databaseUrl, dropDatabase, ensureDatabase } from "../../runtime/db/databases.js";
import type { SqlDatabase } from "../../runtime/db/sql.js";
import { type EventsSettings, readEventsSettings } from "../../runtime/events/events-config.js";
import { openEventsDatabase } from "../../runtime/events/events-database.js";
import type { RelayOptions, RunningRelay } from "../../runtime/events/relay.js";
import { startServiceRelay } from "../../runtime/events/service-relay.js";
import type { DataServiceName } from "../../runtime/platform.js";
import { testLogger } from "./callers.js";

/**
 * The bus for one test file: its own events database and, when NATS_URL is
 * set (CI's second run), its own JetStream streams under a prefix of its own
 * (deleted at the end), so files never see each other's events. Retries and
 * polls are short so a test waits milliseconds, not seconds.
 */
export async function startEventsUnderTest(overrides: Env = {}) {
  const serverUrl = inject("postgresServerUrl");
  const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
  const name = `hr_test_events_${suffix}`;
  await ensureDatabase(serverUrl, name);
  const env: Env = {
    EVENTS_DATABASE_URL: databaseUrl(serverUrl, name),
    NATS_URL: process.env.NATS_URL,
    EVENTS_NATS_PREFIX: `t${suffix}`,
    EVENTS_RELAY_POLL_INTERVAL_MS: "100",
    EVENTS_RETRY_MAX_ATTEMPTS: "3",
    EVENTS_RETRY_INITIAL_DELAY_MS: "10",
    EVENTS_RETRY_MAX_DELAY_MS: "50",
    ...overrides,
  };
  const settings: EventsSettings = readEventsSettings(env);
  const db: SqlDatabase = await openEventsDatabase(settings.databaseUrl ?? "");
  const relays: RunningRelay[] = [];
  return {
    env,
    settings,
    /** The events database, for checks of stream entries, cursors and parked rows. */
    db,
    mode: settings.natsUrl === undefined ? ("postgres" as const) : ("nats" as const),
    /** A relay of a data service under test, as runDataService starts one. */
    async relay(
      stream: DataServiceName,
      service: { sql: SqlDatabase; databaseUrl: string },
      afterPublish?: RelayOptions["afterPublish"],
    ): Promise<RunningRelay> {
      const relay = await startServiceRelay(
        stream,
        service.sql,
        service.databaseUrl,
        settings,
        testLogger(),
        afterPublish,
      );
      if (relay === undefined) throw new Error("no relay: the test's events settings name no bus");
      relays.push(relay);
      return relay;
    },
    async stop() {
      await Promise.all(relays.map((relay) => relay.stop()));
      await db.end();
      await dropDatabase(serverUrl, name);
      if (settings.natsUrl !== undefined) await deleteStreams(settings.natsUrl, settings.natsPrefix);
    },
  };
}

export type EventsUnderTest = Awaited<ReturnType<typeof startEventsUnderTest>>;

async function deleteStreams(url: string, prefix: string): Promise<void> {
  const connection = await connect({ servers: url });
  try {
    const manager = await jetstreamManager(connection);
    for await (const stream of manager.streams.list()) {
      if (stream.config.name.startsWith(`${prefix.toUpperCase()}_`)) await manager.streams.delete(stream.config.name);
    }
  } finally {
    await connection.close();
  }
}

/** Resolves once `check` holds (polled every 20 ms), or fails after `timeoutMs` naming what was awaited. */
export async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
