import pg from "pg";
import type { Logger } from "pino";

/** How long a lost listening connection waits before it reconnects: doubling from the first, up to the last. */
const RECONNECT_DELAYS_MS = { first: 100, max: 5_000 };

/**
 * One PostgreSQL LISTEN connection per process, shared by every subscriber
 * of one channel: a live stream per person would otherwise hold a connection
 * each. A NOTIFY's payload names whom it concerns (a key the sender and the
 * subscribers agree on); each subscriber of that key is woken, and reads
 * what changed from the database itself. So a wake-up may be spurious but
 * is never the only copy of anything: when the connection is lost, every
 * subscriber is woken once it is back, and reads what it missed.
 *
 * The connection opens with the first subscriber and stays open until
 * `close`, which also aborts `closing`: live streams end then, so a server
 * can stop without waiting for its watchers' deadlines.
 */
export class ChannelListener {
  private readonly subscribers = new Map<string, Set<() => void>>();
  private readonly stopping = new AbortController();
  private connection: Promise<pg.Client> | undefined;
  private retryDelayMs = RECONNECT_DELAYS_MS.first;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly channel: string,
    private readonly connectionConfig: pg.ClientConfig,
    private readonly logger: Logger,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
  }

  /** Aborted when the listener closes: every stream built on it ends then. */
  get closing(): AbortSignal {
    return this.stopping.signal;
  }

  /**
   * Calls `wake` whenever a notification with payload `key` is committed,
   * and after a lost connection is back. Resolves once the channel is
   * listened to (rejects when the database cannot be reached), so whatever
   * the subscriber reads after that cannot miss a later notification.
   */
  async subscribe(key: string, wake: () => void): Promise<() => void> {
    if (this.stopping.signal.aborted) throw new Error("the channel listener is closed");
    const keyed = this.subscribers.get(key) ?? new Set();
    this.subscribers.set(key, keyed);
    keyed.add(wake);
    const unsubscribe = () => {
      keyed.delete(wake);
      if (keyed.size === 0 && this.subscribers.get(key) === keyed) this.subscribers.delete(key);
    };
    try {
      await this.listening();
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  /** Ends every stream (`closing`), then the connection. */
  async close(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.retryTimer);
    const connection = this.connection;
    this.connection = undefined;
    const client = await connection?.catch(() => undefined);
    await client?.end().catch(() => {});
  }

  private listening(): Promise<pg.Client> {
    this.connection ??= this.connect();
    return this.connection;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client(this.connectionConfig);
    // A lost connection is reported here and on 'end'; without a listener Node would crash.
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client));
    client.on("notification", ({ payload }) => this.wake(payload ?? ""));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      this.connection = undefined;
      client.end().catch(() => {});
      throw error;
    }
    this.retryDelayMs = RECONNECT_DELAYS_MS.first;
    return client;
  }

  private wake(key: string): void {
    for (const wake of this.subscribers.get(key) ?? []) wake();
  }

  private wakeAll(): void {
    for (const keyed of this.subscribers.values()) for (const wake of keyed) wake();
  }

  /** The connection went away: reconnect with backoff while anyone listens, then wake everyone to catch up. */
  private lost(client: pg.Client, error?: Error): void {
    if (this.stopping.signal.aborted) return;
    const current = this.connection;
    this.connection = undefined;
    client.removeAllListeners("end");
    client.on("error", () => {});
    client.end().catch(() => {});
    if (current === undefined) return;
    this.logger.warn({ err: error, channel: this.channel }, "listening connection lost; reconnecting");
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopping.signal.aborted || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stopping.signal.aborted) return;
      this.listening().then(
        () => this.wakeAll(),
        () => {
          this.retryDelayMs = Math.min(this.retryDelayMs * 2, RECONNECT_DELAYS_MS.max);
          this.scheduleReconnect();
        },
      );
    }, this.retryDelayMs);
    this.retryTimer.unref();
  }
}
