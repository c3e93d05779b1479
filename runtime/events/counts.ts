import type { Logger } from "pino";

export type CountName = "published" | "delivered" | "skipped" | "retried" | "parked" | "replayed";

/**
 * A relay's or a consumer's counts since the process started, logged every
 * `intervalMs` and at stop together with its lag, and each told to `onAdd`
 * as it is counted (the metrics).
 */
export class DeliveryCounts {
  private readonly values = new Map<CountName, number>();
  private readonly timer: NodeJS.Timeout;
  private lag: () => Promise<Record<string, unknown>> = async () => ({});

  constructor(
    private readonly logger: Logger,
    intervalMs: number,
    private readonly message: string,
    private readonly onAdd: (name: CountName, by: number) => void = () => {},
  ) {
    this.timer = setInterval(() => void this.log(), intervalMs);
    this.timer.unref();
  }

  add(name: CountName, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
    this.onAdd(name, by);
  }

  get(name: CountName): number {
    return this.values.get(name) ?? 0;
  }

  /** How the lag is measured (oldest unpublished age, entries behind): read at each log line. */
  measureLag(lag: () => Promise<Record<string, unknown>>): void {
    this.lag = lag;
  }

  async log(): Promise<void> {
    const lag = await this.lag().catch(() => ({ lag: "unknown" }));
    this.logger.info({ counts: Object.fromEntries(this.values), ...lag }, this.message);
  }

  /** Stops the periodic line and logs the last one. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.log();
  }
}
