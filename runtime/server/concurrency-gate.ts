import { AbortError } from "abort-controller-x";
import { AdaptiveLimit, type AdaptiveLimitOptions } from "./adaptive-limit.js";
import { TenantQueue } from "./tenant-queue.js";

/** A slot held by an admitted call: give it back exactly once, with the call's latency when it has a meaningful one. */
export interface Slot {
  release(latencyMs: number | undefined): void;
}

interface Waiter {
  admit(slot: Slot): void;
  refuse(): void;
}

/**
 * Lets at most the adaptive limit's number of calls run at once; the others
 * wait in a bounded queue, fair per tenant, for at most the time they are
 * given. Every slot released admits the next waiter in turn.
 */
export class ConcurrencyGate {
  readonly #limit: AdaptiveLimit;
  readonly #queue: TenantQueue<Waiter>;
  #inFlight = 0;

  constructor(options: AdaptiveLimitOptions & { queueSize: number }) {
    this.#limit = new AdaptiveLimit(options);
    this.#queue = new TenantQueue(options.queueSize);
  }

  get state() {
    return { limit: this.#limit.limit, inFlight: this.#inFlight, queued: this.#queue.size };
  }

  /**
   * A slot at once, or after waiting at most `maxWaitMs`; undefined when the
   * call cannot be queued, waited too long, or would have to: the calls
   * queued ahead, run `limit` at a time for `usualMs` each, would take longer
   * than it may wait (refused now rather than at the end of its wait). Rejects
   * with an AbortError when `signal` aborts first (the caller has gone).
   */
  async acquire(tenant: string, maxWaitMs: number, usualMs: number, signal: AbortSignal): Promise<Slot | undefined> {
    if (this.#hasFreeSlot()) return this.#open();
    if (this.#waitTooLong(maxWaitMs, usualMs)) return undefined;
    if (signal.aborted) throw new AbortError();
    return new Promise<Slot | undefined>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        admit: (slot) => {
          settle();
          resolve(slot);
        },
        refuse: () => {
          settle();
          resolve(undefined);
        },
      };
      const onAbort = () => {
        if (this.#queue.remove(tenant, waiter)) settle();
        reject(new AbortError());
      };
      const timer = setTimeout(() => this.#queue.remove(tenant, waiter) && waiter.refuse(), maxWaitMs);
      signal.addEventListener("abort", onAbort);
      const offered = this.#queue.offer(tenant, waiter);
      if (!offered.queued) waiter.refuse();
      else offered.displaced?.refuse();
    });
  }

  /**
   * Whether `acquire` would refuse a call now, whatever its tenant: no free
   * slot, and the queue ahead of it longer than it may wait. Lets a server
   * refuse before it spends anything on the call (admission.ts).
   */
  refusesNow(maxWaitMs: number, usualMs: number): boolean {
    return !this.#hasFreeSlot() && this.#waitTooLong(maxWaitMs, usualMs);
  }

  #hasFreeSlot(): boolean {
    return this.#inFlight < this.#limit.limit && this.#queue.size === 0;
  }

  #waitTooLong(maxWaitMs: number, usualMs: number): boolean {
    const expectedWaitMs = ((this.#queue.size + 1) / this.#limit.limit) * usualMs;
    return maxWaitMs <= 0 || expectedWaitMs > maxWaitMs;
  }

  #open(): Slot {
    const startedWith = ++this.#inFlight;
    let released = false;
    return {
      release: (latencyMs) => {
        if (released) return;
        released = true;
        this.#inFlight--;
        if (latencyMs !== undefined) this.#limit.onSample(latencyMs, startedWith);
        this.#admitWaiting();
      },
    };
  }

  /** Fills the free slots (one, or more when the limit grew) from the queue, in turn. */
  #admitWaiting(): void {
    while (this.#inFlight < this.#limit.limit) {
      const waiter = this.#queue.take();
      if (!waiter) return;
      waiter.admit(this.#open());
    }
  }
}
