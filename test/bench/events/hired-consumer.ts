import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { EmployeeHired } from "../../../generated/proto/hr/employee/v1/employee_events.js";
import type { Env } from "../../../runtime/config.js";
import { on, startConsumer } from "../../../runtime/events/consumer.js";

// The real consumer (runtime/events/consumer.ts) in the bench process,
// reading the people stream as a process manager does. Its handler only
// notes when each EmployeeHired reached it: the bench measures the bus, not
// a reaction.

/** One EmployeeHired as the consumer got it. */
export interface Arrival {
  employeeId: string;
  /** performance.now() when the handler ran. */
  at: number;
  /** Wall-clock ms from the envelope's occurred_at to the handler (occurred_at has ms resolution). */
  sinceOccurredMs: number;
}

export interface HiredConsumer {
  readonly arrivals: readonly Arrival[];
  /** Resolves true once `count` events arrived, false after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export async function consumeHires(name: string, env: Env): Promise<HiredConsumer> {
  const arrivals: Arrival[] = [];
  const consumer = await startConsumer({
    name,
    streams: ["people"],
    handlers: [
      on("hr.employee.v1.EmployeeHired", EmployeeHired, async (hired, event) => {
        const at = performance.now();
        const occurred = event.occurredAt?.getTime() ?? Number.NaN;
        // Date.now(), not timeOrigin + at: the wall clock occurred_at was read from, whatever it did since start.
        arrivals.push({ employeeId: hired.employeeId, at, sinceOccurredMs: Date.now() - occurred });
      }),
    ],
    logger: pino({ level: "warn" }),
    env,
  });
  return {
    arrivals,
    async waitFor(count, timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while (arrivals.length < count) {
        if (performance.now() > deadline) return false;
        await sleep(20);
      }
      return true;
    },
    stop: () => consumer.stop(),
  };
}
