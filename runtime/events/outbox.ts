import { v7 as uuidv7 } from "uuid";
import { type Sql, sql } from "../db/sql.js";
import type { DataServiceName } from "../platform.js";
import { currentTraceparent } from "../tracing/tracing.js";
import { anyOf, type DomainEvent, encodeEvent } from "./envelope.js";

/** The channel an outbox insert notifies (at its commit), waking the relay of that database. */
export const OUTBOX_CHANNEL = "hr_outbox";

/** Where a context's events come from: its data service (the stream) and its aggregate root's full name. */
export interface EventSource {
  stream: DataServiceName;
  aggregateType: string;
}

/** What caused the events a command records: its tenant, its request id, and who called. */
export interface Cause {
  tenantId: string;
  requestId: string;
  /** The caller's employee id, when the caller is an employee (a decision's decider). */
  employeeId?: string;
}

// The NOTIFY is part of the transaction: PostgreSQL delivers it at commit, never for a rollback.
const RECORD = sql(`
  WITH recorded AS (
    INSERT INTO outbox_event
      (event_id, tenant_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, occurred_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    RETURNING position
  )
  SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM recorded`);

/**
 * Records one domain event in the outbox, through `tx`: the transaction of
 * the change it reports, so the event exists if and only if the change
 * commits. Returns the event's id.
 */
export async function recordEvent(
  tx: Sql,
  source: EventSource,
  cause: Cause,
  aggregate: { id: string; version: number },
  payload: DomainEvent,
): Promise<string> {
  const eventId = uuidv7();
  const occurredAt = new Date();
  const envelope = encodeEvent({
    eventId,
    tenantId: cause.tenantId,
    stream: source.stream,
    aggregateType: source.aggregateType,
    aggregateId: aggregate.id,
    aggregateVersion: aggregate.version,
    occurredAt,
    causationRequestId: cause.requestId,
    // The command's trace, which the consumers' handling of the event continues.
    traceparent: currentTraceparent(),
    payload: anyOf(payload),
  });
  await tx.rows(RECORD, [
    eventId,
    cause.tenantId,
    source.aggregateType,
    aggregate.id,
    aggregate.version,
    payload.typeName,
    Buffer.from(envelope),
    occurredAt,
  ]);
  return eventId;
}

/**
 * The outbox as one command's transaction sees it: what the command pipeline
 * hands a context's store, so a repository records the events of the change
 * it saves, with the command's cause, in its transaction.
 */
export class Outbox {
  constructor(
    private readonly tx: Sql,
    readonly cause: Cause,
  ) {}

  async record(source: EventSource, aggregate: { id: string; version: number }, events: readonly DomainEvent[]) {
    for (const event of events) await recordEvent(this.tx, source, this.cause, aggregate, event);
  }
}

/**
 * Records `events` in the outbox a repository was given by its command. A
 * repository bound to the pool (for reads) or to a transaction of its own
 * (sign-in counting) has none: a change that causes events there would
 * commit without them, so it fails instead.
 */
export async function recordIn(
  outbox: Outbox | undefined,
  source: EventSource,
  aggregate: { id: string; version: number },
  events: readonly DomainEvent[],
): Promise<void> {
  if (events.length === 0) return;
  if (outbox === undefined)
    throw new Error(`a change of ${source.aggregateType} outside a command: no outbox for its events`);
  await outbox.record(source, aggregate, events);
}
