/**
 * Calls waiting for a slot, one FIFO per tenant, served round-robin across
 * tenants so that one tenant's burst delays the others by at most one call
 * each turn. The queue holds at most `capacity` calls; while several tenants
 * wait, each may hold at most its fair share (capacity / tenants waiting). A
 * tenant under its share that finds the queue full takes the newest slot of
 * the tenant holding the most: a burst that filled the queue alone cannot
 * lock a quieter tenant out. Plain data: the caller owns timers and answers.
 */
export class TenantQueue<T> {
  readonly #capacity: number;
  /** Tenants with waiting calls, in the order they are served next (Map keeps insertion order). */
  readonly #waiting = new Map<string, T[]>();
  #size = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Queues `item` for `tenant`. Returns false when the tenant already holds
   * its fair share (the item is not queued); otherwise true, with the item
   * it displaced when the queue was full, which the caller must refuse.
   */
  offer(tenant: string, item: T): { queued: false } | { queued: true; displaced: T | undefined } {
    const own = this.#waiting.get(tenant);
    const tenants = this.#waiting.size + (own ? 0 : 1);
    const share = Math.max(1, Math.floor(this.#capacity / tenants));
    if (this.#capacity === 0 || (own?.length ?? 0) >= share) return { queued: false };
    const displaced = this.#size >= this.#capacity ? this.#dropNewestOfLargest() : undefined;
    if (own) own.push(item);
    else this.#waiting.set(tenant, [item]);
    this.#size++;
    return { queued: true, displaced };
  }

  /** The next call to serve: the oldest of the next tenant in turn. */
  take(): T | undefined {
    const next = this.#waiting.entries().next();
    if (next.done) return undefined;
    const [tenant, items] = next.value;
    const item = items.shift();
    // The tenant goes to the back of the turn, or leaves it when it has no one left waiting.
    this.#waiting.delete(tenant);
    if (items.length > 0) this.#waiting.set(tenant, items);
    this.#size--;
    return item;
  }

  /** Withdraws a call that stopped waiting (timed out, cancelled); false when it was not queued. */
  remove(tenant: string, item: T): boolean {
    const items = this.#waiting.get(tenant);
    const index = items?.indexOf(item) ?? -1;
    if (!items || index < 0) return false;
    items.splice(index, 1);
    if (items.length === 0) this.#waiting.delete(tenant);
    this.#size--;
    return true;
  }

  #dropNewestOfLargest(): T | undefined {
    let largest: [string, T[]] | undefined;
    for (const entry of this.#waiting) if (!largest || entry[1].length > largest[1].length) largest = entry;
    if (!largest) return undefined;
    const [tenant, items] = largest;
    const item = items.pop();
    if (items.length === 0) this.#waiting.delete(tenant);
    this.#size--;
    return item;
  }
}
