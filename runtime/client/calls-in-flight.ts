import { AbortError } from "abort-controller-x";
import type { CallOptions, ClientMiddleware, ClientMiddlewareCall } from "nice-grpc";

// A client's own bound on the calls it has open on one channel; the rest wait
// here, in order, and one cancelled while waiting just leaves the queue.
//
// Why not leave the waiting to HTTP/2: a server announces how many streams a
// connection may carry (GRPC_MAX_CONCURRENT_STREAMS), and Node's HTTP/2 client
// queues further calls below grpc-js. But when such a client cancels many calls
// at once, each reset of an open stream frees a slot that Node fills at once
// with the next queued call, which is then reset too: every queued call reaches
// the server as a stream and a reset. Past about 1,000 resets in a burst the
// server's HTTP/2 (nghttp2's rapid-reset guard) closes the connection with
// INTERNAL_ERROR, failing every other call on it. Waiting here instead, a burst
// of cancellations resets at most `limit` streams.

/** How many calls may be open at once, and who waits for a turn. */
export class CallSlots {
  private open = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Resolves when the caller may open its call; rejects with AbortError when `signal` aborts first. */
  acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortError());
    if (this.open < this.limit) {
      this.open++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const take = () => {
        signal?.removeEventListener("abort", leave);
        resolve();
      };
      const leave = () => {
        this.waiting.splice(this.waiting.indexOf(take), 1);
        reject(new AbortError());
      };
      this.waiting.push(take);
      signal?.addEventListener("abort", leave, { once: true });
    });
  }

  /** Hands the slot of a call that ended to the next waiting call, if any. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.open--;
  }
}

/** Holds a slot for the whole call: until a unary call answers, or a stream ends. */
export function callsInFlight(slots: CallSlots): ClientMiddleware {
  return async function* callsInFlightMiddleware<Request, Response>(
    call: ClientMiddlewareCall<Request, Response>,
    options: CallOptions,
  ) {
    await slots.acquire(options.signal);
    try {
      return yield* call.next(call.request, options);
    } finally {
      slots.release();
    }
  };
}
