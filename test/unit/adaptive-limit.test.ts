import { describe, expect, it } from "vitest";
import { AdaptiveLimit } from "../../runtime/server/adaptive-limit.js";

// Driven by latency samples alone: no clock, no timers. The limit moves once
// per window of 20 calls, on the window's average latency.

const WINDOW = 20;
const options = { minLimit: 4, maxLimit: 100, initialLimit: 20 };

/** Feeds `windows` windows of calls taking `latencyMs`, each started with `inFlight` calls running (default: the whole limit). */
function feed(limit: AdaptiveLimit, latencyMs: number, windows: number, inFlight?: number): void {
  for (let i = 0; i < windows * WINDOW; i++) limit.onSample(latencyMs, inFlight ?? limit.limit);
}

describe("adaptive concurrency limit", () => {
  it("starts at the initial limit, clamped between min and max", () => {
    expect(new AdaptiveLimit(options).limit).toBe(20);
    expect(new AdaptiveLimit({ ...options, initialLimit: 1 }).limit).toBe(4);
    expect(new AdaptiveLimit({ ...options, initialLimit: 500 }).limit).toBe(100);
  });

  it("moves only once a window is complete", () => {
    const limit = new AdaptiveLimit(options);
    feed(limit, 10, 1);
    for (let i = 0; i < WINDOW - 1; i++) limit.onSample(40, 20);
    expect(limit.limit).toBe(20);
    limit.onSample(40, 20);
    expect(limit.limit).toBeLessThan(20);
  });

  it("grows up to its max while latency stays near the lowest seen", () => {
    const limit = new AdaptiveLimit(options);
    feed(limit, 10, 1);
    feed(limit, 12, 5);
    expect(limit.limit).toBeGreaterThan(20);
    feed(limit, 12, 50);
    expect(limit.limit).toBe(100);
  });

  it("does not grow while fewer than half of it are in flight", () => {
    const limit = new AdaptiveLimit(options);
    feed(limit, 10, 20, 9);
    expect(limit.limit).toBe(20);
    feed(limit, 10, 2, 12);
    expect(limit.limit).toBeGreaterThan(20);
  });

  it("shrinks down to its min when latency rises well above the lowest seen", () => {
    const limit = new AdaptiveLimit(options);
    feed(limit, 10, 1);
    feed(limit, 40, 1);
    expect(limit.limit).toBeLessThan(20);
    feed(limit, 40, 60);
    expect(limit.limit).toBe(4);
  });

  it("moves a bounded step per window: a very slow one takes at most a tenth off", () => {
    const limit = new AdaptiveLimit(options);
    feed(limit, 10, 1);
    const before = limit.limit;
    feed(limit, 10_000, 1, before);
    expect(limit.limit).toBeLessThan(before);
    expect(limit.limit).toBeGreaterThanOrEqual(Math.floor(before * 0.9));
  });

  it("averages a window, so one slow call among fast ones does not shrink it", () => {
    const limit = new AdaptiveLimit(options);
    feed(limit, 10, 1);
    const before = limit.limit;
    limit.onSample(200, before);
    feed(limit, 10, 1, before);
    expect(limit.limit).toBeGreaterThanOrEqual(before);
  });

  it("re-measures its baseline, so a database that became slower for good does not pin it at the min", () => {
    const limit = new AdaptiveLimit(options);
    feed(limit, 10, 1);
    feed(limit, 40, 60);
    expect(limit.limit).toBe(4);
    // 30 × limit windows later the baseline is the new latency, and the limit grows again.
    feed(limit, 40, 300);
    expect(limit.limit).toBe(100);
  });

  it("ignores samples without a latency", () => {
    const limit = new AdaptiveLimit(options);
    for (let i = 0; i < WINDOW; i++) {
      limit.onSample(0, 20);
      limit.onSample(Number.NaN, 20);
    }
    expect(limit.limit).toBe(20);
  });
});
