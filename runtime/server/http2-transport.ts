import http2 from "node:http2";

/**
 * The largest header list (HTTP/2 SETTINGS_MAX_HEADER_LIST_SIZE, uncompressed
 * octets plus 32 per header) a server's transport accepts. Node's default is
 * 64 KiB, and past it Node resets the stream (RST_STREAM) before grpc-js sees
 * the call, so the client gets no status, only a reset. The transport accepts
 * far more than any call needs, and the metadata limit (metadata-limit.ts)
 * answers what lies between with a status. Beyond this size the stream is
 * still reset: a peer that sends that much is not a client to answer.
 */
export const TRANSPORT_MAX_HEADER_LIST_BYTES = 256 * 1024;

/** The longest timer Node keeps: setTimeout fires at once past 2^31 - 1 ms. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
const GRPC_TIMEOUT = /^\s*(\d+)\s*([HMSmun])\s*$/;
const MS_PER_UNIT: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };

/** Caps of the listens in progress (usually one: tests may start several servers at once). */
const pending: number[] = [];
let originalCreateServer: typeof http2.createServer | undefined;

/**
 * Runs `listen` (nice-grpc's, which builds a grpc-js server) so that the
 * HTTP/2 server grpc-js creates meanwhile accepts header lists up to
 * TRANSPORT_MAX_HEADER_LIST_BYTES and never lets a `grpc-timeout` past
 * `maxDeadlineMs` reach grpc-js. Neither nice-grpc nor grpc-js exposes the
 * HTTP/2 server or an option for either (grpc-js has no max_metadata_size on
 * servers: grpc/grpc-node#2050), so `http2.createServer` is wrapped while the
 * listen is in progress, and restored after it.
 */
export async function listenGuarded<T>(listen: () => Promise<T>, maxDeadlineMs: number): Promise<T> {
  if (pending.length === 0) {
    const original = http2.createServer;
    originalCreateServer = original;
    http2.createServer = ((options: http2.ServerOptions, listener?: () => void) =>
      guard(original(widened(options), listener as never), Math.min(...pending))) as typeof http2.createServer;
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

function widened(options: http2.ServerOptions = {}): http2.ServerOptions {
  return { ...options, settings: { ...options.settings, maxHeaderListSize: TRANSPORT_MAX_HEADER_LIST_BYTES } };
}

/**
 * grpc-js arms its deadline timer with `(value * unit) | 0` ms
 * (server-interceptors.js, handleTimeoutHeader): 30 days wraps to a negative
 * 32-bit number and the timer fires at once, so a client asking for a far
 * deadline gets DEADLINE_EXCEEDED before the handler runs. This listener runs
 * before grpc-js's (prepended, same headers object) and rewrites a timeout
 * past the cap to the cap: the call is served as if the client had asked for
 * MAX_DEADLINE_MS, whatever client sent it.
 */
function guard(server: http2.Http2Server, maxDeadlineMs: number): http2.Http2Server {
  const capMs = Math.min(maxDeadlineMs, LONGEST_TIMER_MS);
  const capped = capMs <= 99_999_999 ? `${capMs}m` : `${Math.floor(capMs / 1000)}S`;
  server.prependListener("stream", (_stream, headers) => {
    const value = headers["grpc-timeout"];
    if (typeof value !== "string") return;
    const match = GRPC_TIMEOUT.exec(value);
    if (match === null) return; // grpc-js answers a garbled one INTERNAL itself
    if (Number(match[1]) * (MS_PER_UNIT[match[2] ?? ""] ?? 0) > capMs) headers["grpc-timeout"] = capped;
  });
  return server;
}
