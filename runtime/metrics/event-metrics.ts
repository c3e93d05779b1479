import { Counter } from "prom-client";
import { liveGauges } from "./live-sources.js";
import { registry } from "./registry.js";

const published = new Counter({
  name: "events_relay_published_total",
  help: "Outbox events the relay handed to the bus, by stream (the data service that wrote them)",
  labelNames: ["stream"] as const,
  registers: [registry],
});

const handled = new Counter({
  name: "events_consumer_events_total",
  help: "Events a consumer was done with or will try again, by outcome: delivered, skipped (no handler), retried, parked, replayed",
  labelNames: ["consumer", "outcome"] as const,
  registers: [registry],
});

const watchRelays = liveGauges(["stream"], {
  unpublished: { name: "events_relay_unpublished", help: "Outbox events not yet published" },
  oldestSeconds: {
    name: "events_relay_lag_seconds",
    help: "Age of the oldest unpublished outbox event (0 when none waits): how far the relay is behind",
  },
});

const watchConsumers = liveGauges(["consumer"], {
  behind: { name: "events_consumer_behind", help: "Events on the consumer's streams it has not reached yet" },
  parked: {
    name: "events_parked",
    help: "Events the consumer failed on its last attempt, parked until an operator replays them",
  },
});

/** Counts the relay's published events of `stream`. */
export function countPublished(stream: string): (outcome: string, by: number) => void {
  const child = published.labels({ stream });
  return (outcome, by) => {
    if (outcome === "published") child.inc(by);
  };
}

/** Counts a consumer's events by outcome. */
export function countHandled(consumer: string): (outcome: string, by: number) => void {
  return (outcome, by) => handled.inc({ consumer, outcome }, by);
}

/** Shows a relay's lag, read from its outbox at scrape time, while it runs; returns how to stop. */
export function watchRelay(
  stream: string,
  lag: () => Promise<{ unpublished: number; oldestUnpublishedMs: number }>,
): () => void {
  return watchRelays({ stream }, async () => {
    const { unpublished, oldestUnpublishedMs } = await lag();
    return { unpublished, oldestSeconds: oldestUnpublishedMs / 1000 };
  });
}

/** Shows a consumer's backlog and parked events, read at scrape time, while it runs; returns how to stop. */
export function watchConsumer(consumer: string, read: () => Promise<{ behind: number; parked: number }>): () => void {
  return watchConsumers({ consumer }, read);
}
