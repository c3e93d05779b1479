import { describe, expect, it } from "vitest";
import { OverloadThrottle } from "../../runtime/client/overload-throttle.js";

// The client-side throttle's arithmetic, on a clock and a random source the
// test controls; the middleware that uses it is exercised in the overload
// bench against a real server.

const T0 = Date.UTC(2026, 0, 1);

/** Sends `n` calls at `at`, the server accepting the first `accepted` of those sent; returns how many were sent. */
function burst(throttle: OverloadThrottle, n: number, accepted: number, at: number): number {
  let sent = 0;
  for (let i = 0; i < n; i++) {
    if (!throttle.admit(at)) continue;
    throttle.answered(sent < accepted, at);
    sent++;
  }
  return sent;
}

describe("OverloadThrottle", () => {
  it("sends everything while the server accepts everything", () => {
    const throttle = new OverloadThrottle({ ratio: 1.2, windowSeconds: 10 }, () => 0);
    expect(burst(throttle, 1_000, 1_000, T0)).toBe(1_000);
  });

  it("holds back calls in proportion to the server's refusals, letting about ratio × accepts through", () => {
    // A random source spread evenly over [0, 1): the share held back is the probability itself.
    let k = 0;
    const throttle = new OverloadThrottle({ ratio: 1.2, windowSeconds: 10 }, () => (k++ * 0.618034) % 1);
    // The server accepts 100 calls a second; the client is asked for 400 a second.
    let sent = 0;
    for (let second = 0; second < 10; second++) sent = burst(throttle, 400, 100, T0 + second * 1000);
    // In the steady state it sends a little more than 1.2 × 100, far below the 400 asked for.
    expect(sent).toBeGreaterThan(100);
    expect(sent).toBeLessThan(160);
  });

  it("does not count calls in flight: a burst from an idle client is all sent", () => {
    const throttle = new OverloadThrottle({ ratio: 1.1, windowSeconds: 10 }, () => 0.5);
    for (let i = 0; i < 1_000; i++) expect(throttle.admit(T0)).toBe(true);
  });

  it("forgets refusals once they leave the window, so recovered capacity is used again", () => {
    const throttle = new OverloadThrottle({ ratio: 1.1, windowSeconds: 2 }, () => 0.5);
    burst(throttle, 1_000, 0, T0);
    expect(throttle.admit(T0 + 500)).toBe(false);
    // Two seconds later the bucket of the refusals has left the window.
    expect(burst(throttle, 100, 100, T0 + 2_000)).toBe(100);
  });

  it("never holds back a call of a client whose calls are all accepted, second after second", () => {
    const throttle = new OverloadThrottle({ ratio: 2, windowSeconds: 1 }, () => 0);
    for (let i = 0; i < 10; i++) expect(burst(throttle, 50, 50, T0 + i * 1000)).toBe(50);
  });
});
