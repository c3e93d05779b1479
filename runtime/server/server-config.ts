import { DEFAULT_CLIENT_POLICY } from "../client/client-policy.js";
import { atLeastOne, configSlice, integer, oneOf, text } from "../config.js";

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
const LOG_FORMATS = ["auto", "json", "pretty"] as const;

/** What every gRPC server and its process read: binding, logs, shutdown, deadlines. */
export const serverVariables = configSlice("all servers", {
  LISTEN_HOST: text("127.0.0.1", "interface to bind; `0.0.0.0` in containers"),
  LOG_LEVEL: oneOf(LOG_LEVELS, "info", "pino level; one line per call"),
  LOG_FORMAT: oneOf(
    LOG_FORMATS,
    "auto",
    "`json`: one JSON line per event; `pretty`: coloured lines for a person; `auto`: pretty when stdout is a terminal, else JSON",
  ),
  SHUTDOWN_DELAY_MS: integer(
    0,
    "on SIGTERM, report NOT_SERVING this long before refusing calls (set ~5000 behind a load balancer)",
  ),
  SHUTDOWN_GRACE_MS: integer(10_000, "then wait this long for in-flight calls before cutting them"),
  HEALTH_CHECK_INTERVAL_MS: integer(
    1_000,
    "how often a data service checks its database; health is NOT_SERVING while it refuses, or once a check has gone 3 intervals unanswered",
  ),
  DEFAULT_DEADLINE_MS: integer(
    DEFAULT_CLIENT_POLICY.defaultDeadlineMs,
    "deadline of a downstream call when the caller set none (apps)",
  ),
  MAX_DEADLINE_MS: integer(
    DEFAULT_CLIENT_POLICY.maxDeadlineMs,
    "the furthest deadline a call keeps: a later one is capped to it, received or sent, so no timer overflows",
  ),
  GRPC_MAX_CONCURRENT_STREAMS: atLeastOne(
    DEFAULT_CLIENT_POLICY.maxCallsInFlight,
    "calls one client connection may have open on a server at once (HTTP/2 `SETTINGS_MAX_CONCURRENT_STREAMS`); the platform's clients keep at most this many open per channel",
  ),
});
