import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

/** A logger at `info` whose JSON lines a test reads back from `lines`, as an operator would read the log. */
export function capturedLogs<Line = Record<string, unknown>>(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const logger = pino(
    { level: "info" },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  return { logger, lines };
}
