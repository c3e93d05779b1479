import { type DestinationStream, type Logger, pino } from "pino";
import pretty from "pino-pretty";
import type { LogFormat } from "../config.js";

/**
 * One JSON line per event on stdout, tagged with the process's service name;
 * on a terminal (or with `LOG_FORMAT=pretty`), coloured lines a person reads.
 * JSON is written asynchronously: a synchronous write is one system call per
 * line, which under load cost about a tenth of a data service's CPU; lines
 * written while a write is in flight go out together. pino flushes what is
 * buffered when the process exits.
 */
export function createLogger(
  service: string,
  level: string,
  format: LogFormat = "auto",
  /** Fields added to every line (the trace a line was written in, when tracing is on). */
  mixin?: () => object,
): Logger {
  return pino({ name: service, level, base: { service }, ...(mixin && { mixin }) }, destination(format));
}

function destination(format: LogFormat): DestinationStream {
  const readable = format === "pretty" || (format === "auto" && process.stdout.isTTY === true);
  // pino-pretty as a stream in this thread (no worker): a terminal is for a
  // person at a laptop, where a line's formatting cost does not matter.
  if (readable) return pretty({ colorize: process.stdout.isTTY === true, ignore: "pid,hostname,service" });
  return pino.destination({ dest: 1, sync: false });
}
