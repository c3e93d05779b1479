import type { Logger } from "pino";
import { v5 as uuidv5 } from "uuid";
import { ConfigError, type Env } from "../config.js";
import { countHandled, watchConsumer } from "../metrics/event-metrics.js";
import type { DataServiceName } from "../platform.js";
import { holdWhileActive } from "./active-lock.js";
import { DeliveryCounts } from "./counts.js";
import { Deliverer, type EventHandler } from "./delivery.js";
import { Doorbell } from "./doorbell.js";
import type { Event } from "./envelope.js";
import { readEventsSettings } from "./events-config.js";
import { EVENTS_CHANNEL, openEventsDatabase } from "./events-database.js";
import { openTransport } from "./open-transport.js";
import { countParked } from "./parked-events.js";
import { startReplays } from "./parked-replays.js";

export type { EventHandler } from "./delivery.js";
export type { Event } from "./envelope.js";

/**
 * The handler of one payload type: `on("hr.employee.v1.EmployeeTerminated",
 * EmployeeTerminated, async (terminated, event, signal) => ...)`. `decode` is
 * the ts-proto message's decode. A handler is called at least once per event
 * (a crash before the event is acknowledged redelivers it): what it does must
 * be idempotent by `event.eventId` (a command with `requestIdFor(event.eventId,
 * step)` is). `signal` aborts when the consumer stops.
 */
export function on<T>(
  typeName: string,
  codec: { decode(bytes: Uint8Array): T },
  handle: (message: T, event: Event, signal: AbortSignal) => Promise<void>,
): EventHandler {
  return {
    typeName,
    handle: (event, signal) => handle(codec.decode(event.payload?.value ?? new Uint8Array()), event, signal),
  };
}

/** A running consumer; `stop` waits for the event in hand, then releases the consumer to another replica. */
export interface RunningConsumer {
  stop(): Promise<void>;
}

export interface ConsumerOptions {
  /** The durable consumer's name: its cursor, its parked events, its one active replica. */
  name: string;
  streams: readonly DataServiceName[];
  handlers: readonly EventHandler[];
  logger: Logger;
  env?: Env;
}

/**
 * Starts the durable consumer `name` over the given streams, on the
 * transport the environment selects (the events database, or JetStream when
 * NATS_URL is set). Events reach the handlers one at a time, in order within
 * each stream (so in order per aggregate). Types without a handler are
 * acknowledged and skipped; a handler that throws is retried with backoff
 * (EVENTS_RETRY_*), and its event parked after the last attempt. Of several
 * replicas of one consumer only one is active; the others wait for its lock.
 * Resolves once this replica is subscribed, or waiting as a standby.
 */
export async function startConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const { name, streams, logger } = options;
  const settings = readEventsSettings(options.env);
  if (settings.databaseUrl === undefined) throw new ConfigError("EVENTS_DATABASE_URL must be set to consume events");
  if (streams.length === 0) throw new ConfigError(`consumer ${name} names no stream`);
  const log = logger.child({ consumer: name });
  const eventsDb = await openEventsDatabase(settings.databaseUrl);
  const transport = await openTransport(settings, eventsDb, log).catch(async (error: unknown) => {
    await eventsDb.end();
    throw error;
  });
  const counts = new DeliveryCounts(log, settings.statsIntervalMs, "consumer counts", countHandled(name));
  counts.measureLag(async () => ({ behind: await transport.behind(name, streams) }));
  const unwatch = watchConsumer(name, async () => {
    const [behind, parked] = await Promise.all([transport.behind(name, streams), countParked(eventsDb, name)]);
    return { behind: Object.values(behind).reduce((sum, n) => sum + n, 0), parked };
  });
  const deliverer = new Deliverer(name, options.handlers, settings.retry, eventsDb, counts, log);

  const active = holdWhileActive(
    settings.databaseUrl,
    `hr.events.consumer:${name}`,
    settings.pollIntervalMs,
    log,
    async (client, lost) => {
      // The lock's connection also listens: appends and replay requests ring the bell.
      const bell = new Doorbell();
      client.on("notification", () => bell.ring());
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
      const context = { signal: lost, bell, pollIntervalMs: settings.pollIntervalMs };
      const stopping = new AbortController();
      const signal = AbortSignal.any([lost, stopping.signal]);
      const subscription = await transport.consume(name, streams, deliverer, { ...context, signal });
      const replays = startReplays(deliverer, eventsDb, { ...context, signal }, log);
      log.info({ streams, transport: settings.natsUrl === undefined ? "postgres" : "nats" }, "consumer active");
      return async () => {
        stopping.abort();
        await Promise.all([subscription.stop(), replays.stop()]);
      };
    },
  );
  await active.firstAttempt;
  let stopped: Promise<void> | undefined;
  const stop = async () => {
    unwatch();
    await active.stop();
    await counts.stop();
    await transport.close();
    await eventsDb.end();
  };
  // A second stop (a signal during a shutdown already under way) waits for the first.
  return { stop: () => (stopped ??= stop()) };
}

/** Namespace of the request ids issued in reaction to events (a random UUID fixed once). */
const REACTION_NAMESPACE = "9a3c5b0e-4e7d-4f43-9d2e-6b8f1c2a7e51";

/**
 * A deterministic request id for the command a consumer issues in reaction
 * to an event (UUID v5 over event id and step): a redelivered event issues
 * the same request id, which the data service answers as a replay instead
 * of acting twice.
 */
export function requestIdFor(eventId: string, step: string): string {
  return uuidv5(`${eventId}/${step}`, REACTION_NAMESPACE);
}
