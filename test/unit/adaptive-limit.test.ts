import { describe, expect, it } from "vitest";
import { AdaptiveLimit } from "../../runtime/server/adaptive-limit.js";

// Driven by latency samples alone: no clock, no timers.

const options = { minLimit: 4, maxLimit: 100, initialLimit: 20 };

/** Feeds `count` samples of `latencyMs`, each with the whole limit in flight (a busy server). */
function busy(limit: AdaptiveLimit, latencyMs: number, count: number): void {
  for (let i = 0; i < count; i++) limit.onSample(latencyMs, limit.limit);
}

describe("adaptive concurrency limit", () => {
  it("starts at the initial limit, clamped between min and max", () => {
    expect(new AdaptiveLimit(options).limit).toBe(20);
    expect(new AdaptiveLimit({ ...options, initialLimit: 1 }).limit).toBe(4);
    expect(new AdaptiveLimit({ ...options, initialLimit: 500 }).limit).toBe(100);
  });

  it("grows up to its max while latency stays near the lowest seen", () => {
    const limit = new AdaptiveLimit(options);
    busy(limit, 10, 1);
    busy(limit, 12, 50);
    expect(limit.limit).toBeGreaterThan(20);
    busy(limit, 12, 500);
    expect(limit.limit).toBe(100);
  });

  it("does not grow while fewer than half of it are in flight", () => {
    const limit = new AdaptiveLimit(options);
    for (let i = 0; i < 500; i++) limit.onSample(10, 9);
    expect(limit.limit).toBe(20);
    for (let i = 0; i < 10; i++) limit.onSample(10, 12);
    expect(limit.limit).toBeGreaterThan(20);
  });

  it("shrinks down to its min when latency rises well above the lowest seen", () => {
    const limit = new AdaptiveLimit(options);
    busy(limit, 10, 1);
    busy(limit, 40, 5);
    expect(limit.limit).toBeLessThan(20);
    busy(limit, 40, 50);
    expect(limit.limit).toBe(4);
  });

  it("moves a bounded step per sample: one very slow call takes at most a tenth off", () => {
    const limit = new AdaptiveLimit(options);
    busy(limit, 10, 1);
    const before = limit.limit;
    limit.onSample(10_000, before);
    expect(limit.limit).toBeLessThan(before);
    expect(limit.limit).toBeGreaterThanOrEqual(Math.floor(before * 0.9));
  });

  it("re-measures its baseline, so a database that became slower for good does not pin it at the min", () => {
    const limit = new AdaptiveLimit(options);
    busy(limit, 10, 1);
    busy(limit, 40, 50);
    expect(limit.limit).toBe(4);
    // 30 × limit samples later the baseline is the new latency, and the limit grows again.
    busy(limit, 40, 2_000);
    expect(limit.limit).toBe(100);
  });

  it("ignores samples without a latency", () => {
    const limit = new AdaptiveLimit(options);
    limit.onSample(0, 20);
    limit.onSample(Number.NaN, 20);
    busy(limit, 40, 1);
    busy(limit, 40, 5);
    expect(limit.limit).toBeGreaterThan(20);
  });
});
