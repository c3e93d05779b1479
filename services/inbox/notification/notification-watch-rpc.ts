import { AbortError } from "abort-controller-x";
import { ServerError, Status } from "nice-grpc-common";
import type { ChannelListener } from "../../../runtime/db/channel-listener.js";
import type { Notification } from "./notification.js";
import { type NotificationRepository, recipientKey } from "./notification-repository.js";

/** How many notifications a watcher reads per query while it catches up. */
const BATCH = 100;
const OLDEST_FIRST = { unreadOnly: false, newestFirst: false };

export interface WatchTarget {
  tenantId: string;
  recipientEmployeeId: string;
  /** The sequence the stream starts after; undefined: the recipient's latest, read once listening. */
  afterSequence: number | undefined;
  /** Called once the stream listens and knows where it starts: whatever commits after it will be streamed. */
  onListening(): void;
}

/**
 * A recipient's notifications after a point, oldest first, then each new
 * one as it commits, until `signal` aborts (the caller went: AbortError) or
 * the listener closes (the server stops: UNAVAILABLE, so the client
 * reconnects from the last one it got). It subscribes before it reads, so a
 * notification committed in between is read, not lost; and it reads by
 * sequence, which a recipient's sends commit in order, so none is skipped.
 */
export async function* watchNotifications(
  listener: ChannelListener,
  repository: NotificationRepository,
  target: WatchTarget,
  signal: AbortSignal,
): AsyncGenerator<Notification> {
  const { tenantId, recipientEmployeeId } = target;
  const doorbell = new Doorbell();
  const unsubscribe = await listener.subscribe(recipientKey(tenantId, recipientEmployeeId), () => doorbell.ring());
  const ended = AbortSignal.any([signal, listener.closing]);
  try {
    let after = target.afterSequence ?? (await repository.lastSequence(tenantId, recipientEmployeeId));
    target.onListening();
    for (;;) {
      const batch = await repository.list(tenantId, recipientEmployeeId, OLDEST_FIRST, after, BATCH);
      for (const notification of batch) {
        yield notification;
        after = notification.sequence;
      }
      if (batch.length < BATCH) await doorbell.heard(ended);
    }
  } catch (error) {
    if (signal.aborted) throw new AbortError();
    if (listener.closing.aborted) throw stopping();
    throw error;
  } finally {
    unsubscribe();
  }
}

function stopping(): ServerError {
  return new ServerError(Status.UNAVAILABLE, "the server is stopping; watch again from the last notification received");
}

/** A wake-up that is not lost when it rings while nobody waits: the next wait returns at once. */
class Doorbell {
  private rung = false;
  private answer: (() => void) | undefined;

  ring(): void {
    this.rung = true;
    this.answer?.();
  }

  /** Resolves once it has rung since the last call; rejects when `ended` aborts first. */
  async heard(ended: AbortSignal): Promise<void> {
    if (!this.rung) {
      await new Promise<void>((resolve, reject) => {
        if (ended.aborted) return reject(new AbortError());
        const onEnd = () => reject(new AbortError());
        ended.addEventListener("abort", onEnd, { once: true });
        this.answer = () => {
          ended.removeEventListener("abort", onEnd);
          resolve();
        };
      });
    }
    this.rung = false;
    this.answer = undefined;
  }
}
