import { performance } from "node:perf_hooks";
import type pg from "pg";
import type { Env } from "../../../runtime/config.js";
import type { Probe } from "../cpu.js";
import { CONCURRENCY, type Measured, measure, SECONDS } from "../load.js";
import { openLoop } from "../open-loop.js";
import type { RawChannel } from "../raw-grpc-client.js";
import type { PeopleSeed } from "../seed/people.js";
import { hires } from "./hire-call.js";
import { consumeHires } from "./hired-consumer.js";
import { publishedBetween, unpublished } from "./outbox-state.js";
import { warmUp } from "./warm-up.js";

// One bus under load, with the people process's relay publishing and a real
// consumer in this process: first Hires closed-loop (what the relay and the
// consumer keep up with), then, once the consumer has caught up, Hires at a
// steady rate well below that, for the latency from commit to consumer.

/** The steady rate of the latency phase, unless half of what the consumer delivered is lower. */
const LATENCY_RATE = 100;
/** How long the consumer may take to catch up after a phase before the bench says it did not. */
const DRAIN_TIMEOUT_MS = 60_000;

export interface Percentiles {
  p50: number;
  p99: number;
}

export interface BusRun {
  /** The closed-loop Hires, with the relay and the consumer running. */
  hire: Measured;
  publishedPerSecond: number;
  deliveredPerSecond: number;
  /** Outbox rows not yet published when the closed loop ended. */
  backlogAtEnd: number;
  /** Hires answered but not yet at the consumer when the closed loop ended (outbox backlog included). */
  undeliveredAtEnd: number;
  /** Seconds from the closed loop's end until the consumer had every answered Hire's event; undefined: not within the timeout. */
  drainedSeconds: number | undefined;
  latency: {
    ratePerSecond: number;
    events: number;
    /** Hires of the phase whose event had not arrived within the timeout. */
    missing: number;
    sinceOccurred: Percentiles;
    sinceAnswered: Percentiles;
  };
}

export interface BusTarget {
  /** The consumer's name and environment: the same bus as the people process's relay. */
  consumer: string;
  env: Env;
  channel: RawChannel;
  seed: PeopleSeed;
  /** The people database, to read its outbox. */
  peopleDb: pg.Pool;
  probes: readonly Probe[];
}

const percentiles = (values: number[]): Percentiles => {
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
};

export async function runBus(target: BusTarget): Promise<BusRun> {
  const consumer = await consumeHires(target.consumer, target.env);
  try {
    // The process, the relay and the consumer warmed alike, then the consumer caught up before the window.
    const warming = hires(target.channel, target.seed, `${target.consumer}-warm`);
    await warmUp((i) => warming.call(i));
    await consumer.waitFor(warming.answered(), DRAIN_TIMEOUT_MS);
    const loaded = hires(target.channel, target.seed, `${target.consumer}-load`);
    // Window bounds come on the monotonic clock of measure(); the arrivals are on performance.now().
    const offsetMs = Number(process.hrtime.bigint() / 1000n) / 1000 - performance.now();
    const hire = await measure((i) => loaded.call(i), target.probes, CONCURRENCY);
    const [from, to] = [hire.startUs / 1000 - offsetMs, hire.endUs / 1000 - offsetMs];
    const undeliveredAtEnd = warming.answered() + loaded.answered() - consumer.arrivals.length;
    const backlogAtEnd = await unpublished(target.peopleDb);
    const wall = (at: number) => new Date(Date.now() - (performance.now() - at));
    const published = await publishedBetween(target.peopleDb, wall(from), wall(to));
    const delivered = consumer.arrivals.filter((a) => a.at >= from && a.at < to).length;
    const seconds = (to - from) / 1000;

    const caughtUp = await consumer.waitFor(warming.answered() + loaded.answered(), DRAIN_TIMEOUT_MS);
    const drainedSeconds = caughtUp ? (performance.now() - to) / 1000 : undefined;

    const ratePerSecond = Math.min(LATENCY_RATE, Math.floor(delivered / seconds / 2));
    const steady = hires(target.channel, target.seed, `${target.consumer}-steady`);
    const before = consumer.arrivals.length;
    await openLoop((i) => steady.call(i), ratePerSecond, SECONDS, 10_000, target.probes);
    await consumer.waitFor(before + steady.answered(), DRAIN_TIMEOUT_MS);
    const sinceOccurred: number[] = [];
    const sinceAnswered: number[] = [];
    for (const arrival of consumer.arrivals.slice(before)) {
      const answeredAt = steady.answeredAt.get(arrival.employeeId);
      if (answeredAt === undefined) continue;
      sinceOccurred.push(arrival.sinceOccurredMs);
      sinceAnswered.push(arrival.at - answeredAt);
    }
    return {
      ...{ hire, publishedPerSecond: published / seconds, deliveredPerSecond: delivered / seconds },
      ...{ backlogAtEnd, undeliveredAtEnd, drainedSeconds },
      latency: {
        ...{ ratePerSecond, events: sinceOccurred.length, missing: steady.answered() - sinceOccurred.length },
        ...{ sinceOccurred: percentiles(sinceOccurred), sinceAnswered: percentiles(sinceAnswered) },
      },
    };
  } finally {
    await consumer.stop();
  }
}
