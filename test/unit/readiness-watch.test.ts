import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { watchReadiness } from "../../runtime/server/readiness-watch.js";

// A database that is frozen or cut off refuses nothing: its check never
// answers. Readiness must still turn NOT_SERVING, and back once it answers.

const logger = pino({ level: "silent" });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("readiness", () => {
  it("turns unready when a check stalls past its limit, and ready again when it answers", async () => {
    let answer: () => void = () => {};
    const changes: boolean[] = [];
    const stop = watchReadiness(
      () => new Promise<void>((resolve) => (answer = resolve)),
      1_000,
      (ready) => changes.push(ready),
      logger,
    );
    await vi.advanceTimersByTimeAsync(3_500); // the check started at 1 s: 2.5 s without an answer
    expect(changes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_500); // the tick at 5 s finds it 4 s old: past 3 × the interval
    expect(changes).toEqual([false]);
    await vi.advanceTimersByTimeAsync(5_000); // still stalled: reported once
    expect(changes).toEqual([false]);
    answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(changes).toEqual([false, true]);
    stop();
  });

  it("turns unready at once when a check fails, and stays ready while checks answer", async () => {
    let healthy = true;
    const changes: boolean[] = [];
    const stop = watchReadiness(
      () => (healthy ? Promise.resolve() : Promise.reject(new Error("ECONNREFUSED"))),
      1_000,
      (ready) => changes.push(ready),
      logger,
    );
    await vi.advanceTimersByTimeAsync(5_000);
    expect(changes).toEqual([]);
    healthy = false;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(changes).toEqual([false]);
    stop();
  });
});
