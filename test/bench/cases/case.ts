import type { Metadata } from "nice-grpc";
import type { Call } from "../load.js";

/** One row of the bench: a call to repeat, and the server processes that serve it (their CPU is charged to it). */
export interface Case {
  name: string;
  servers: readonly string[];
  call: Call;
}

/** Call options of the bench's one caller (tenant from the token, role hr_admin). */
export interface CallOptions {
  metadata: Metadata;
}

/** Throws when a case's answer is not what it asked for, so a broken case cannot report fast nonsense. */
export function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`unexpected answer: ${what}`);
}
