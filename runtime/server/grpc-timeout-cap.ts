import http2 from "node:http2";

/** The longest timer Node keeps: setTimeout fires at once past 2^31 - 1 ms. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
const GRPC_TIMEOUT = /^\s*(\d+)\s*([HMSmun])\s*$/;
const MS_PER_UNIT: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };

/** Caps of the listens in progress (usually one; tests may start several servers at once). */
const pending: number[] = [];
let originalCreateServer: typeof http2.createServer | undefined;

/**
 * Runs `listen` (nice-grpc's, which builds a grpc-js server) so that no
 * `grpc-timeout` past `maxDeadlineMs` reaches grpc-js, whatever client sent
 * it. grpc-js arms its deadline timer with `(value * unit) | 0` ms
 * (server-interceptors.js, handleTimeoutHeader): 30 days wraps to a negative
 * 32-bit number and the timer fires at once, so the call is answered
 * DEADLINE_EXCEEDED before its handler runs (no upstream grpc-node issue
 * found for this as of 2026-12). A grpc-js server interceptor runs too late
 * (the timer is armed when the call is constructed), and neither nice-grpc
 * nor grpc-js exposes the HTTP/2 server, so `http2.createServer` is wrapped
 * while the listen is in progress, and restored after it: the server it
 * creates gets a 'stream' listener ahead of grpc-js's.
 */
export async function listenWithDeadlineCap<T>(listen: () => Promise<T>, maxDeadlineMs: number): Promise<T> {
  if (pending.length === 0) {
    const original = http2.createServer;
    originalCreateServer = original;
    http2.createServer = ((options: http2.ServerOptions, listener?: () => void) =>
      capTimeouts(original(options, listener as never), Math.min(...pending))) as typeof http2.createServer;
  }
  pending.push(maxDeadlineMs);
  try {
    return await listen();
  } finally {
    pending.splice(pending.indexOf(maxDeadlineMs), 1);
    if (pending.length === 0 && originalCreateServer !== undefined) {
      http2.createServer = originalCreateServer;
      originalCreateServer = undefined;
    }
  }
}

/**
 * Rewrites a `grpc-timeout` past the cap to the cap, in the headers object
 * grpc-js reads next: the call is served as if the client had asked for
 * MAX_DEADLINE_MS. A garbled value is left for grpc-js to refuse.
 */
function capTimeouts(server: http2.Http2Server, maxDeadlineMs: number): http2.Http2Server {
  const capMs = Math.min(maxDeadlineMs, LONGEST_TIMER_MS);
  // The spec allows at most 8 digits.
  const capped = capMs <= 99_999_999 ? `${capMs}m` : `${Math.floor(capMs / 1000)}S`;
  server.prependListener("stream", (_stream, headers) => {
    const value = headers["grpc-timeout"];
    if (typeof value !== "string") return;
    const match = GRPC_TIMEOUT.exec(value);
    if (match === null) return;
    if (Number(match[1]) * (MS_PER_UNIT[match[2] ?? ""] ?? 0) > capMs) headers["grpc-timeout"] = capped;
  });
  return server;
}
