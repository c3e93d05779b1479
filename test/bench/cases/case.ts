import type { Metadata } from "nice-grpc";
import type { Call } from "../load.js";

/** One row of the bench: a call to repeat, and the server processes that serve it (their CPU is charged to it). */
export interface Case {
  name: string;
  servers: readonly string[];
  call: Call;
  /** Calls kept in flight; BENCH_CONCURRENCY when not given. */
  concurrency?: number;
}

/** The name prefix of the cases that keep one call in flight. */
export const ONE_AT_A_TIME = "One at a time: ";

/** The case's call made one at a time (one call in flight): its p50 is a call's latency, not a queue's. */
export function oneAtATime(c: Case): Case {
  return { ...c, name: `${ONE_AT_A_TIME}${c.name}`, concurrency: 1 };
}

/** Call options of the bench's one caller (tenant from the token, role hr_admin). */
export interface CallOptions {
  metadata: Metadata;
}

/** Throws when a case's answer is not what it asked for, so a broken case cannot report fast nonsense. */
export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`unexpected answer: ${what}`);
}
