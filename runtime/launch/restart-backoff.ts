/**
 * How long the launcher waits before restarting a service that exited on its
 * own: 0.5 s, doubling on each exit in a row, at most 30 s, so a service that
 * crashes at once does not spin. A run that lasted `stableAfterMs` counts as
 * healthy and the next restart is quick again.
 */
export class RestartBackoff {
  private failures = 0;

  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 30_000,
    private readonly stableAfterMs = 60_000,
  ) {}

  /** The delay before the next start, given how long the run that just ended lasted. */
  next(ranForMs: number): number {
    if (ranForMs >= this.stableAfterMs) this.failures = 0;
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** this.failures);
    this.failures++;
    return delay;
  }
}
