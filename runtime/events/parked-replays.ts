import type { Logger } from "pino";
import type { SqlDatabase } from "../db/sql.js";
import { type Deliverer, deliverUntilDone } from "./delivery.js";
import type { Doorbell } from "./doorbell.js";
import { decodeEvent } from "./envelope.js";
import { replaysOf, unpark } from "./parked-events.js";

/**
 * The active replica's side of `npm run events -- replay`: the parked events
 * an operator asked to replay are delivered again (with the usual retries)
 * and removed once handled; one that fails again is parked again, its
 * attempts added up, and waits for the next replay request.
 */
export function startReplays(
  deliverer: Deliverer,
  eventsDb: SqlDatabase,
  context: { signal: AbortSignal; bell: Doorbell; pollIntervalMs: number },
  logger: Logger,
): { stop(): Promise<void> } {
  const { signal, bell, pollIntervalMs } = context;
  const loop = (async () => {
    while (!signal.aborted) {
      try {
        for (const payload of await replaysOf(eventsDb, deliverer.consumer)) {
          if (signal.aborted) break;
          const event = decodeEvent(payload);
          const outcome = await deliverUntilDone(deliverer, event, signal);
          if (outcome === undefined) return;
          // Parked again, the request is cleared: the row stays and waits for the next one.
          if (!outcome.parked) {
            await unpark(eventsDb, deliverer.consumer, event.eventId);
            deliverer.counts.add("replayed");
          }
        }
      } catch (error) {
        if (!signal.aborted) logger.warn({ err: error }, "replaying parked events failed; trying again");
      }
      await bell.wait(pollIntervalMs, signal);
    }
  })();
  return { stop: () => loop };
}
