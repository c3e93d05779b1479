import { type Logger, pino } from "pino";

/** One JSON line per event on stdout, tagged with the process's service name. */
export function createLogger(service: string, level: string): Logger {
  return pino({ name: service, level, base: { service } });
}
