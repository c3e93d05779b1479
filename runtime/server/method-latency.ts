/**
 * How long each method usually takes: an exponential moving average of the
 * latency of its successful calls, from the first one on. A call whose
 * deadline leaves less than this is refused before any work is done.
 */
const WEIGHT = 0.1;

export class MethodLatency {
  readonly #averageMs = new Map<string, number>();

  /** The method's usual latency, or 0 before its first success. */
  usualMs(method: string): number {
    return this.#averageMs.get(method) ?? 0;
  }

  record(method: string, latencyMs: number): void {
    const average = this.#averageMs.get(method);
    this.#averageMs.set(method, average === undefined ? latencyMs : average + (latencyMs - average) * WEIGHT);
  }
}
