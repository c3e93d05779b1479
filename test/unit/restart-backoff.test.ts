import { describe, expect, it } from "vitest";
import { RestartBackoff } from "../../runtime/launch/restart-backoff.js";

describe("restart backoff", () => {
  it("doubles the delay on each quick exit in a row, up to its maximum", () => {
    const backoff = new RestartBackoff(500, 4_000, 60_000);
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next(100))).toEqual([500, 1_000, 2_000, 4_000, 4_000, 4_000]);
  });

  it("is quick again after a run that lasted long enough", () => {
    const backoff = new RestartBackoff(500, 30_000, 60_000);
    backoff.next(100);
    backoff.next(100);
    expect(backoff.next(60_000)).toBe(500);
    expect(backoff.next(10)).toBe(1_000);
  });
});
