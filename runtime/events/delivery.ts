import type { Logger } from "pino";
import { isTransientFailure } from "../client/transient-failure.js";
import type { SqlDatabase } from "../db/sql.js";
import { tracedDelivery } from "../tracing/tracing.js";
import type { DeliveryCounts } from "./counts.js";
import { pause } from "./doorbell.js";
import { type Event, payloadTypeOf } from "./envelope.js";
import { type RetryPolicy, retryDelayMs } from "./events-config.js";
import { parkEvent } from "./parked-events.js";

/** What a consumer does with one payload type (built by `on` in consumer.ts). */
export interface EventHandler {
  readonly typeName: string;
  handle(event: Event, signal: AbortSignal): Promise<void>;
}

/** After a delivery: the event is done with (handled, skipped, or parked), or is to be delivered again after a wait. */
export type Outcome = { done: true; parked: boolean } | { done: false; retryInMs: number };

const DONE: Outcome = { done: true, parked: false };

/**
 * One consumer's handling of an event, the same for both transports: the
 * handler of its payload type (none: skipped), and on failure the decision
 * to retry after a backoff or, at the last attempt, to park it. A transient
 * failure (a service it calls is down, overloaded or too slow) is never the
 * last attempt: the event waits, and the stream behind it, until the service
 * is back, since parking would leave the operator to replay every event of an
 * outage by hand. One event at a time: whatever delivers (a stream, a replay)
 * goes through `exclusive`.
 */
export class Deliverer {
  private readonly handlers: ReadonlyMap<string, EventHandler>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly consumer: string,
    handlers: readonly EventHandler[],
    private readonly retry: RetryPolicy,
    private readonly eventsDb: SqlDatabase,
    readonly counts: DeliveryCounts,
    private readonly logger: Logger,
  ) {
    const byType = new Map<string, EventHandler>();
    for (const handler of handlers) {
      if (byType.has(handler.typeName)) throw new Error(`two handlers of ${handler.typeName} in consumer ${consumer}`);
      byType.set(handler.typeName, handler);
    }
    this.handlers = byType;
  }

  /** Runs `work` after every delivery started before it: the consumer's deliveries never overlap. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => {});
    return result;
  }

  /** Delivers `event` for the `attempt`-th time (from 1). */
  deliver(event: Event, attempt: number, signal: AbortSignal): Promise<Outcome> {
    return this.exclusive(() => this.deliverNow(event, attempt, signal));
  }

  private async deliverNow(event: Event, attempt: number, signal: AbortSignal): Promise<Outcome> {
    const handler = this.handlers.get(payloadTypeOf(event));
    if (handler === undefined) {
      this.counts.add("skipped");
      return DONE;
    }
    try {
      await tracedDelivery(event, this.consumer, attempt, () => handler.handle(event, signal));
      this.counts.add("delivered");
      return DONE;
    } catch (error) {
      // A consumer stopping mid-handler is no failure of the event: it is delivered again later.
      if (signal.aborted) throw error;
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      const about = { eventId: event.eventId, eventType: handler.typeName, attempt, err: error };
      if (attempt < this.retry.maxAttempts || isTransientFailure(error)) {
        this.counts.add("retried");
        const retryInMs = retryDelayMs(this.retry, attempt);
        this.logger.warn({ ...about, retryInMs }, "event handler failed; retrying");
        return { done: false, retryInMs };
      }
      await parkEvent(this.eventsDb, this.consumer, event, reason, attempt);
      this.counts.add("parked");
      this.logger.error(about, "event handler failed its last attempt; event parked");
      return { done: true, parked: true };
    }
  }
}

/**
 * Delivers `event` until it is done with, waiting out each retry's delay in
 * this process (the PostgreSQL transport and replays; JetStream waits by
 * itself). Undefined when `signal` aborted first: the event is not done.
 */
export async function deliverUntilDone(
  deliverer: Deliverer,
  event: Event,
  signal: AbortSignal,
): Promise<{ parked: boolean } | undefined> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await deliverer.deliver(event, attempt, signal);
    if (outcome.done) return outcome;
    await pause(outcome.retryInMs, signal);
    if (signal.aborted) return undefined;
  }
}
