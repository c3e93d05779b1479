/**
 * How many calls a server runs at once, learned from their latency: Netflix
 * concurrency-limits' GradientLimit, fed by windows of WINDOW calls as the
 * library's WindowedLimit does (one call's latency is mostly noise: event
 * loop turns, GC pauses). The baseline is the lowest window average seen
 * (what a call costs with the least queueing); while windows stay within
 * TOLERANCE times it, the limit grows by about √limit per window, and as
 * they rise past it, the limit shrinks in proportion (at most halving its
 * target per window). Each window moves the limit only SMOOTHING of the way
 * to its target, so one slow window does not collapse it.
 *
 * The baseline is re-measured every PROBE_MULTIPLIER × limit windows (the
 * library's Vegas limit counts calls; windows make that some seconds under
 * load): a database that became slower for good would otherwise pin the
 * limit at its minimum. The limit never grows while fewer
 * than half of it were in flight: latency measured by a few calls says
 * nothing about what more would cost.
 */
export interface AdaptiveLimitOptions {
  minLimit: number;
  maxLimit: number;
  initialLimit: number;
}

const TOLERANCE = 2;
const SMOOTHING = 0.2;
const MIN_GRADIENT = 0.5;
const PROBE_MULTIPLIER = 30;
const WINDOW = 20;

export class AdaptiveLimit {
  readonly #min: number;
  readonly #max: number;
  #estimate: number;
  #baselineMs = Number.POSITIVE_INFINITY;
  #windowsSinceProbe = 0;
  #windowSumMs = 0;
  #windowSamples = 0;
  #windowMaxInFlight = 0;

  constructor(options: AdaptiveLimitOptions) {
    this.#min = Math.max(1, options.minLimit);
    this.#max = Math.max(this.#min, options.maxLimit);
    this.#estimate = clamp(options.initialLimit, this.#min, this.#max);
  }

  /** Calls that may run at once. */
  get limit(): number {
    return Math.floor(this.#estimate);
  }

  /** A call finished after `latencyMs`; `inFlight` calls (itself included) were running when it started. */
  onSample(latencyMs: number, inFlight: number): void {
    if (!(latencyMs > 0)) return;
    this.#windowSumMs += latencyMs;
    this.#windowMaxInFlight = Math.max(this.#windowMaxInFlight, inFlight);
    if (++this.#windowSamples < WINDOW) return;
    const averageMs = this.#windowSumMs / this.#windowSamples;
    const maxInFlight = this.#windowMaxInFlight;
    this.#windowSumMs = 0;
    this.#windowSamples = 0;
    this.#windowMaxInFlight = 0;
    this.#update(averageMs, maxInFlight);
  }

  #update(latencyMs: number, inFlight: number): void {
    if (++this.#windowsSinceProbe >= PROBE_MULTIPLIER * this.#estimate) {
      this.#windowsSinceProbe = 0;
      this.#baselineMs = latencyMs;
      return;
    }
    if (latencyMs < this.#baselineMs) this.#baselineMs = latencyMs;
    const gradient = clamp((TOLERANCE * this.#baselineMs) / latencyMs, MIN_GRADIENT, 1);
    const target = this.#estimate * gradient + Math.sqrt(this.#estimate);
    const next = clamp(this.#estimate * (1 - SMOOTHING) + target * SMOOTHING, this.#min, this.#max);
    if (next > this.#estimate && inFlight < this.#estimate / 2) return;
    this.#estimate = next;
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
