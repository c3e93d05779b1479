import type { DataServiceName } from "../platform.js";
import type { Deliverer } from "./delivery.js";
import type { Doorbell } from "./doorbell.js";

/** An outbox row on its way to the bus. */
export interface OutboxEntry {
  eventId: string;
  tenantId: string;
  aggregateType: string;
  aggregateId: string;
  eventType: string;
  /** The encoded hr.events.v1.Event. */
  payload: Uint8Array;
  occurredAt: Date;
}

/** What a consumer's subscription runs with. */
export interface ConsumeContext {
  /** Aborts when the consumer stops or loses its active lock. */
  signal: AbortSignal;
  /** Rung when the events database notifies (PostgreSQL transport). */
  bell: Doorbell;
  pollIntervalMs: number;
}

/**
 * The bus behind one small interface: the events database by default, NATS
 * JetStream when NATS_URL is set. Both keep a stream per data service, take
 * a stream's entries in order and ignore an event id they already hold
 * (a relay republishing after a crash), and deliver a durable consumer's
 * events one at a time, in stream order.
 */
export interface Transport {
  /** Appends `entries` to `stream` in order; resolves once the bus holds every one. */
  publish(stream: DataServiceName, entries: readonly OutboxEntry[]): Promise<void>;
  /** Delivers the durable consumer `name`'s events of `streams` through `deliverer` until stopped. */
  consume(
    name: string,
    streams: readonly DataServiceName[],
    deliverer: Deliverer,
    context: ConsumeContext,
  ): Promise<{ stop(): Promise<void> }>;
  /** How far the consumer is behind, per stream (entries not yet delivered). */
  behind(name: string, streams: readonly DataServiceName[]): Promise<Record<string, number>>;
  /** Forgets `stream`'s entries older than `retentionMs` where the transport keeps them itself. */
  trim(stream: DataServiceName, retentionMs: number): Promise<number>;
  close(): Promise<void>;
}
