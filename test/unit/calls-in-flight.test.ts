import { isAbortError } from "abort-controller-x";
import { describe, expect, it } from "vitest";
import { CallSlots } from "../../runtime/client/calls-in-flight.js";

const settledYet = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 10))]);

describe("CallSlots", () => {
  it("opens calls up to the limit; a caller that gives up while waiting leaves, the next one gets the freed slot", async () => {
    const slots = new CallSlots(1);
    await slots.acquire(undefined);
    const gaveUp = new AbortController();
    const first = slots.acquire(gaveUp.signal);
    const second = slots.acquire(undefined);
    gaveUp.abort();
    await expect(first).rejects.toSatisfy(isAbortError);
    expect(await settledYet(second)).toBe(false);

    slots.release();
    expect(await settledYet(second)).toBe(true);
    const third = slots.acquire(undefined);
    expect(await settledYet(third)).toBe(false);
    slots.release();
    expect(await settledYet(third)).toBe(true);
  });
});
