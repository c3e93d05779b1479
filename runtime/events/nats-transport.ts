import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { connect, type NatsConnection, nanos } from "@nats-io/transport-node";
import type { Logger } from "pino";
import { type DataServiceName, envPrefix } from "../platform.js";
import type { Deliverer } from "./delivery.js";
import { decodeEvent } from "./envelope.js";
import type { ConsumeContext, OutboxEntry, Transport } from "./transport.js";

/** `people` → `HR_PEOPLE`: a data service's JetStream stream under `prefix`. */
export function streamNameOf(prefix: string, stream: DataServiceName): string {
  return `${prefix.toUpperCase().replaceAll(".", "_")}_${envPrefix(stream)}`;
}

/** `hr.events.people`: the subjects of a stream start with it, then the event type. */
function subjectsOf(prefix: string, stream: DataServiceName): string {
  return `${prefix}.events.${stream}`;
}

/** JetStream forgets a message id after this: a relay's republish comes well within it. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;
/** A delivery not acknowledged within this is redelivered (a consumer that died holding it); a live handler says it works every third of it. */
const ACK_WAIT_MS = 15_000;

/**
 * The bus through NATS JetStream (NATS_URL set): a durable stream per data
 * service, the event id as `Nats-Msg-Id` (JetStream drops a duplicate within
 * its window), and per consumer and stream a durable pull consumer with one
 * message in flight (`max_ack_pending` 1), so delivery is in stream order; a
 * failed delivery is nak'ed with the retry's delay and comes back first.
 */
export class NatsTransport implements Transport {
  private readonly ensured = new Set<string>();

  private constructor(
    private readonly connection: NatsConnection,
    private readonly prefix: string,
    private readonly retentionMs: number,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly logger: Logger,
  ) {}

  static async connect(url: string, prefix: string, retentionMs: number, logger: Logger): Promise<NatsTransport> {
    const connection = await connect({ servers: url, name: "hr-events", maxReconnectAttempts: -1 });
    const manager = await jetstreamManager(connection);
    return new NatsTransport(connection, prefix, retentionMs, jetstream(connection), manager, logger);
  }

  /** Creates the stream of `stream` unless it exists. */
  private async ensureStream(stream: DataServiceName): Promise<string> {
    const name = streamNameOf(this.prefix, stream);
    if (this.ensured.has(name)) return name;
    try {
      await this.jsm.streams.info(name);
    } catch (error) {
      if (!(error instanceof JetStreamApiError)) throw error;
      await this.jsm.streams.add({
        name,
        subjects: [`${subjectsOf(this.prefix, stream)}.>`],
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        // Kept as long as the outbox keeps published rows (EVENTS_RETENTION_HOURS).
        max_age: nanos(this.retentionMs),
      });
    }
    this.ensured.add(name);
    return name;
  }

  async publish(stream: DataServiceName, entries: readonly OutboxEntry[]): Promise<void> {
    await this.ensureStream(stream);
    // One at a time: each waits for JetStream's acknowledgement, so the stream holds them in outbox order.
    for (const entry of entries) {
      const subject = `${subjectsOf(this.prefix, stream)}.${entry.eventType}`;
      await this.js.publish(subject, entry.payload, { msgID: entry.eventId });
    }
  }

  async consume(
    name: string,
    streams: readonly DataServiceName[],
    deliverer: Deliverer,
    context: ConsumeContext,
  ): Promise<{ stop(): Promise<void> }> {
    const loops: Promise<void>[] = [];
    const subscriptions: { close(): Promise<unknown> }[] = [];
    for (const stream of streams) {
      const streamName = await this.ensureStream(stream);
      await this.jsm.consumers.add(streamName, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: 1,
        ack_wait: nanos(ACK_WAIT_MS),
        // Attempts are counted by the deliverer, which parks at its last one.
        max_deliver: -1,
      });
      const consumer = await this.js.consumers.get(streamName, name);
      const messages = await consumer.consume({ max_messages: 1 });
      subscriptions.push(messages);
      loops.push(
        (async () => {
          try {
            for await (const message of messages) {
              if (context.signal.aborted) break;
              // A handler still running when ack_wait ends would see its message redelivered: tell JetStream it works.
              const working = setInterval(() => message.working(), ACK_WAIT_MS / 3);
              try {
                const outcome = await deliverer.deliver(
                  decodeEvent(message.data),
                  message.info.deliveryCount,
                  context.signal,
                );
                if (outcome.done) await message.ackAck();
                else message.nak(outcome.retryInMs);
              } catch (error) {
                // Stopping mid-handler, or the events database failing to park: deliver it again later.
                if (!context.signal.aborted) this.logger.warn({ err: error }, "event delivery failed; redelivering");
                message.nak(context.pollIntervalMs);
              } finally {
                clearInterval(working);
              }
            }
          } catch (error) {
            // The subscription failed for good (its consumer deleted, the connection closed): say so, loudly.
            if (!context.signal.aborted) this.logger.error({ err: error, stream }, "event subscription ended");
          }
        })(),
      );
    }
    const stop = async () => {
      await Promise.all(subscriptions.map((messages) => messages.close()));
      await Promise.all(loops);
    };
    context.signal.addEventListener("abort", () => void stop(), { once: true });
    return { stop };
  }

  async behind(name: string, streams: readonly DataServiceName[]): Promise<Record<string, number>> {
    const entries = await Promise.all(
      streams.map(async (stream) => {
        const info = await this.jsm.consumers.info(streamNameOf(this.prefix, stream), name);
        return [stream, info.num_pending + info.num_ack_pending] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  /** JetStream drops messages past the stream's max_age itself; the relay trims nothing there. */
  async trim(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {
    await this.connection.drain().catch(() => this.connection.close());
  }
}
