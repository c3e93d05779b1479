import { atLeastOne, configSlice, type Env, integer, text } from "../config.js";

/**
 * Where events travel and how they are retried: read by every process that
 * publishes (the data services' relays) or consumes (process managers, the
 * operator command).
 */
export const eventsVariables = configSlice("data services, event consumers, npm run events", {
  EVENTS_DATABASE_URL: text(
    undefined,
    "the events database (stream entries, consumer cursors, parked events); set by `npm start`; unset: no relay runs and no consumer starts",
  ),
  NATS_URL: text(
    undefined,
    "NATS server with JetStream (e.g. `nats://127.0.0.1:4222`): events travel through it instead of the events database; parked events stay in the events database",
  ),
  EVENTS_NATS_PREFIX: text(
    "hr",
    "with NATS: prefix of the JetStream streams (`HR_PEOPLE`, ...) and subjects (`hr.events.people.>`), so two platforms can share one NATS server",
  ),
  EVENTS_RELAY_POLL_INTERVAL_MS: atLeastOne(
    1_000,
    "how often a relay looks at its outbox when no notification woke it, and a waiting replica tries to become the active relay",
  ),
  EVENTS_RETENTION_HOURS: atLeastOne(
    7 * 24,
    "how long published events are kept: outbox rows, the events database's stream entries, JetStream messages (`max_age`)",
  ),
  EVENTS_RETRY_MAX_ATTEMPTS: atLeastOne(
    5,
    "deliveries of an event to a failing handler before it is parked; a transient failure (a service it calls unavailable, overloaded or too slow) is retried without end",
  ),
  EVENTS_RETRY_INITIAL_DELAY_MS: integer(
    200,
    "wait before a failed event's second delivery; doubled for each next one",
  ),
  EVENTS_RETRY_MAX_DELAY_MS: integer(30_000, "the longest wait between two deliveries of a failing event"),
  EVENTS_STATS_INTERVAL_MS: atLeastOne(60_000, "how often relays and consumers log their counts"),
});

/** How a failing handler is retried before its event is parked. */
export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface EventsSettings {
  /** The events database; undefined when the process runs without events. */
  databaseUrl: string | undefined;
  /** JetStream's server; undefined for the PostgreSQL transport. */
  natsUrl: string | undefined;
  /** Prefix of the JetStream streams and subjects. */
  natsPrefix: string;
  pollIntervalMs: number;
  retentionMs: number;
  retry: RetryPolicy;
  statsIntervalMs: number;
}

export function readEventsSettings(env?: Env): EventsSettings {
  const v = eventsVariables.read(env);
  return {
    databaseUrl: v.EVENTS_DATABASE_URL,
    natsUrl: v.NATS_URL,
    natsPrefix: v.EVENTS_NATS_PREFIX,
    pollIntervalMs: v.EVENTS_RELAY_POLL_INTERVAL_MS,
    retentionMs: v.EVENTS_RETENTION_HOURS * 3_600_000,
    retry: {
      maxAttempts: v.EVENTS_RETRY_MAX_ATTEMPTS,
      initialDelayMs: v.EVENTS_RETRY_INITIAL_DELAY_MS,
      maxDelayMs: v.EVENTS_RETRY_MAX_DELAY_MS,
    },
    statsIntervalMs: v.EVENTS_STATS_INTERVAL_MS,
  };
}

/** The wait before delivery `attempt + 1` of an event whose delivery `attempt` (from 1) failed. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
}
