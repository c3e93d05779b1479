import { Gauge } from "prom-client";
import { registry } from "./registry.js";

/** A read still unanswered after this is left out of the scrape: a database that hangs must not hang Prometheus. */
const READ_TIMEOUT_MS = 2_000;

/** One thing a live gauge reads at scrape time: its labels and how to read its values. */
interface Source<L extends string> {
  labels: Partial<Record<L, string>>;
  read: () => Record<string, number> | Promise<Record<string, number> | undefined> | undefined;
}

/**
 * Gauges whose values are read from live objects when Prometheus scrapes
 * (an admission gate, a pool, an outbox), not pushed on every change. Each
 * object registers itself while it lives and unregisters when it stops, so
 * a server stopped in a test's process no longer shows. `names` maps the
 * keys `read` returns to the gauges they fill. A read that fails or hangs
 * (its database down) leaves its series out of that scrape rather than
 * failing or holding it.
 */
export function liveGauges<L extends string>(
  labelNames: readonly L[],
  gauges: Record<string, { name: string; help: string }>,
): (labels: Partial<Record<L, string>>, read: Source<L>["read"]) => () => void {
  const sources = new Set<Source<L>>();
  let values: Promise<{ labels: Source<L>["labels"]; read: Record<string, number> | undefined }[]> | undefined;
  // One read of every source per scrape, shared by the gauges it fills.
  const readAll = () => {
    values ??= Promise.all(
      [...sources].map(async (source) => ({
        labels: source.labels,
        read: await withinTimeout(Promise.resolve().then(source.read)),
      })),
    ).finally(() => {
      values = undefined;
    });
    return values;
  };
  for (const [key, { name, help }] of Object.entries(gauges)) {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const read = await readAll();
        this.reset();
        for (const source of read) {
          const value = source.read?.[key];
          if (value !== undefined) this.set(source.labels, value);
        }
      },
    });
  }
  return (labels, read) => {
    const source = { labels, read };
    sources.add(source);
    return () => sources.delete(source);
  };
}

/** What `reading` resolves to, or undefined when it fails or takes longer than READ_TIMEOUT_MS. */
async function withinTimeout<T>(reading: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS).unref();
  });
  try {
    return await Promise.race([reading.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
