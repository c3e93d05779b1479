import { isAbortError } from "abort-controller-x";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConcurrencyGate } from "../../runtime/server/concurrency-gate.js";
import { settled } from "../support/settled.js";

// Fake timers: waiting "too long" is a timer firing, not time passing.

const options = { minLimit: 2, maxLimit: 2, initialLimit: 2, queueSize: 4 };
const never = new AbortController().signal;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("concurrency gate", () => {
  it("admits up to the limit at once, then the waiting calls as slots are released, in turn per tenant", async () => {
    const gate = new ConcurrencyGate(options);
    const running = [await gate.acquire("a", 1000, 10, never), await gate.acquire("a", 1000, 10, never)];
    const order: string[] = [];
    const waiting = ["a1", "a2", "b1"].map((name) =>
      gate.acquire(name.slice(0, 1), 1000, 10, never).then((slot) => {
        order.push(name);
        return slot;
      }),
    );
    expect(gate.state).toEqual({ limit: 2, inFlight: 2, queued: 3 });
    running[0]?.release(10);
    running[1]?.release(10);
    const a1 = await waiting[0];
    await waiting[2];
    expect(order).toEqual(["a1", "b1"]);
    a1?.release(10);
    await waiting[1];
    expect(order).toEqual(["a1", "b1", "a2"]);
  });

  it("refuses at once when the call may not wait or would wait in vain, and after its wait when no slot came", async () => {
    const gate = new ConcurrencyGate(options);
    await gate.acquire("a", 1000, 10, never);
    await gate.acquire("a", 1000, 10, never);
    expect(await gate.acquire("a", 0, 10, never)).toBeUndefined();
    // Two slots busy for the usual 1 s each: a call that may wait 400 ms would wait in vain.
    expect(await gate.acquire("a", 400, 1000, never)).toBeUndefined();
    expect(gate.state.queued).toBe(0);
    const waiting = settled([gate.acquire("a", 1000, 10, never)]);
    expect(gate.state.queued).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    const [slot] = await waiting;
    expect(await slot).toBeUndefined();
    expect(gate.state.queued).toBe(0);
  });

  it("lets a cancelled caller leave the queue, and gives its turn to the next", async () => {
    const gate = new ConcurrencyGate(options);
    const running = await gate.acquire("a", 1000, 10, never);
    await gate.acquire("a", 1000, 10, never);
    const caller = new AbortController();
    const cancelled = gate.acquire("a", 1000, 10, caller.signal).catch((error: unknown) => error);
    const next = settled([gate.acquire("b", 1000, 10, never)]);
    caller.abort();
    expect(isAbortError(await cancelled)).toBe(true);
    expect(gate.state.queued).toBe(1);
    running?.release(10);
    const [nextSlot] = await next;
    expect(await nextSlot).toBeDefined();
    expect(gate.state).toEqual({ limit: 2, inFlight: 2, queued: 0 });
  });

  it("counts a slot released twice once", async () => {
    const gate = new ConcurrencyGate(options);
    const slot = await gate.acquire("a", 1000, 10, never);
    slot?.release(10);
    slot?.release(10);
    expect(gate.state.inFlight).toBe(0);
  });
});
