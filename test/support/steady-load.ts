import { setTimeout as sleep } from "node:timers/promises";

// Steady, bounded load for a test that disturbs the platform underneath it:
// `inFlight` callers, each making one call after another (a pause between),
// until stopped. Every failed call is kept, with what it was; none is retried.

export class SteadyLoad {
  /** What each failed call was and how it failed. */
  readonly failures: string[] = [];
  /** Calls answered so far (failed ones included). */
  answered = 0;
  private issued = 0;
  private stopping = false;
  private readonly callers: Promise<void>[] = [];

  /** `call(n)` makes the n-th call (0, 1, ...), and throws when it fails. */
  constructor(
    private readonly call: (n: number) => Promise<void>,
    private readonly inFlight = 2,
    private readonly pauseMs = 100,
  ) {}

  start(): void {
    for (let i = 0; i < this.inFlight; i++) this.callers.push(this.caller());
  }

  /** Resolves once `count` more calls have been answered; rejects after `timeoutMs`. */
  async progress(count: number, timeoutMs = 60_000): Promise<void> {
    const target = this.answered + count;
    const deadline = Date.now() + timeoutMs;
    while (this.answered < target) {
      if (Date.now() > deadline) throw new Error(`the load made no progress: ${this.answered} calls answered`);
      await sleep(50);
    }
  }

  /** Stops issuing calls and waits for the ones in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.callers);
  }

  private async caller(): Promise<void> {
    while (!this.stopping) {
      const n = this.issued++;
      try {
        await this.call(n);
      } catch (error) {
        this.failures.push(`call ${n}: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.answered++;
      await sleep(this.pauseMs);
    }
  }
}
