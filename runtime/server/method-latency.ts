/**
 * How long each method takes, from the latency of its successful calls:
 *
 * - `usualMs`, an exponential moving average: what a call takes under the
 *   current load, which predicts how long a queue takes to clear;
 * - `neededMs`, a low estimate that falls quickly with fast calls and rises
 *   slowly with slow ones (about a low percentile): what a call needs at
 *   the least. A call whose deadline leaves less than this is refused before
 *   any work is done.
 *
 * The refusal uses the low estimate on purpose: judged by the average, a
 * burst that made calls slow refused every later call with a short
 * deadline, and since refused calls bring no new samples, the average never
 * came down again (a method refused everything until a restart).
 */
const AVERAGE_WEIGHT = 0.1;
const FLOOR_WEIGHT_DOWN = 0.3;
const FLOOR_WEIGHT_UP = 0.02;

export class MethodLatency {
  readonly #averageMs = new Map<string, number>();
  readonly #floorMs = new Map<string, number>();

  /** The method's latency under the current load, or 0 before its first success. */
  usualMs(method: string): number {
    return this.#averageMs.get(method) ?? 0;
  }

  /** The least time the method needs, or 0 before its first success. */
  neededMs(method: string): number {
    return this.#floorMs.get(method) ?? 0;
  }

  record(method: string, latencyMs: number): void {
    const average = this.#averageMs.get(method);
    this.#averageMs.set(method, average === undefined ? latencyMs : average + (latencyMs - average) * AVERAGE_WEIGHT);
    const floor = this.#floorMs.get(method);
    const weight = floor !== undefined && latencyMs < floor ? FLOOR_WEIGHT_DOWN : FLOOR_WEIGHT_UP;
    this.#floorMs.set(method, floor === undefined ? latencyMs : floor + (latencyMs - floor) * weight);
  }
}
