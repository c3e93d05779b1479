/**
 * Prometheus's text format as a test reads it: a scrape of a process's
 * GET /metrics, and its samples found by name and labels. No client
 * library: what Prometheus would parse is what is checked.
 */

export interface Scrape {
  status: number;
  contentType: string | null;
  text: string;
}

export async function scrape(port: number, path = "/metrics"): Promise<Scrape> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, contentType: response.headers.get("content-type"), text: await response.text() };
}

/** One sample line: `name{a="x",b="y"} 1`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function samples(text: string): Sample[] {
  return text.split("\n").flatMap((line) => {
    const match = line.startsWith("#") ? null : LINE.exec(line);
    if (!match) return [];
    const labels = Object.fromEntries([...(match[2] ?? "").matchAll(LABEL)].map(([, key, value]) => [key, value]));
    return [{ name: match[1] ?? "", labels, value: Number(match[3]) }];
  });
}

/** The value of the sample `name` whose labels include `labels`, summed over the rest; undefined when none. */
export function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = samples(text).filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  return found.length === 0 ? undefined : found.reduce((sum, sample) => sum + sample.value, 0);
}

/** Scrapes `port` until `holds` says yes (the last hop of a call records it after the first has answered). */
export async function scrapeUntil(
  port: number,
  what: string,
  holds: (text: string) => boolean,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { text } = await scrape(port);
    if (holds(text)) return text;
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}; last scrape:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
