import { SECONDS, WARMUP_MS } from "../load.js";
import type { BusResult, EventsRow } from "./section.js";
import { WARM_UP_MS } from "./warm-up.js";

// The events section of the report: the Hire rows (raw and through the
// service), the ratios they give, and a row per bus.

const fixed = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "—");
const rate = (r: EventsRow | undefined) => (r ? r.m.calls / r.m.seconds : Number.NaN);
const perCall = (r: EventsRow | undefined, micros: number | undefined) =>
  r ? (micros ?? Number.NaN) / r.m.calls : Number.NaN;
const serverMicros = (r: EventsRow | undefined) => perCall(r, r?.server ? r.m.cpuMicros.get(r.server) : undefined);
const pgMicros = (r: EventsRow | undefined) => perCall(r, r?.m.cpuMicros.get("postgres"));

/** What the machine ran in the window besides the probed processes and this one, in % of a core. */
const othersPercent = (r: EventsRow) => {
  const ours = [...r.m.cpuMicros.values()].reduce((a, b) => a + b, 0) + r.m.loadCpuMicros;
  return ((r.m.machineCpuMicros - ours) / (r.m.seconds * 1e6)) * 100;
};

function hireTable(rows: readonly EventsRow[], postgres: boolean): string[] {
  const head = ["case", "calls/s", "p50 ms", "p99 ms", "people CPU µs/call"];
  if (postgres) head.push("PostgreSQL CPU µs/call");
  head.push("load process CPU µs/call", "other processes CPU %", "errors");
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((_, k) => (k === 0 ? "---" : "--:")).join("|")}|`];
  for (const r of rows) {
    const cells = [
      r.name,
      fixed(rate(r)),
      fixed(r.m.p50, 2),
      fixed(r.m.p99, 2),
      r.server ? fixed(serverMicros(r)) : "—",
    ];
    if (postgres) cells.push(fixed(pgMicros(r)));
    cells.push(fixed(perCall(r, r.m.loadCpuMicros)), fixed(othersPercent(r)), String(r.m.errors));
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines;
}

function ratioLines(rows: readonly EventsRow[]): string[] {
  const find = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
  const [raw, rawOutbox] = [find("raw pg: hire transaction"), find("raw pg: hire transaction + outbox")];
  const bare = find("HireEmployee, no relay");
  const ratio = (a: number, b: number) => fixed(a / b, 2);
  const lines = [
    `- raw pg: (hire transaction + outbox insert) / (hire transaction), calls/s: ${ratio(rate(rawOutbox), rate(raw))}; PostgreSQL CPU per transaction: ${ratio(pgMicros(rawOutbox), pgMicros(raw))}`,
  ];
  for (const relayed of rows.filter((r) => r.name.startsWith("HireEmployee, relay to"))) {
    const bus = relayed.name.slice("HireEmployee, relay to ".length, relayed.name.indexOf(" and a consumer"));
    lines.push(
      `- HireEmployee with the relay to ${bus} and a consumer draining / with no relay running, calls/s: ${ratio(rate(relayed), rate(bare))}; people process CPU per Hire (the relay runs in it): ${ratio(serverMicros(relayed), serverMicros(bare))}; PostgreSQL CPU per Hire: ${ratio(pgMicros(relayed), pgMicros(bare))}`,
    );
  }
  return lines;
}

function busTable(buses: readonly BusResult[]): string[] {
  const head = [
    ...["bus", "Hires/s", "relay published/s", "consumer delivered/s", "outbox backlog at end"],
    ...["not yet delivered at end", "caught up after s", "steady Hires/s", "commit → consumer p50 / p99 ms"],
    "Hire answered → consumer p50 / p99 ms",
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((_, k) => (k === 0 ? "---" : "--:")).join("|")}|`];
  for (const { mode, run, skipped } of buses) {
    if (run === undefined) {
      lines.push(`| ${mode} | ${skipped ?? "skipped"} |${" |".repeat(head.length - 2)}`);
      continue;
    }
    const { latency: l } = run;
    const cells = [mode, fixed(run.hire.calls / run.hire.seconds), fixed(run.publishedPerSecond)];
    cells.push(fixed(run.deliveredPerSecond), String(run.backlogAtEnd), String(run.undeliveredAtEnd));
    cells.push(run.drainedSeconds === undefined ? "not within 60 s" : fixed(run.drainedSeconds, 1));
    cells.push(`${l.ratePerSecond}${l.missing ? ` (${l.missing} events missing)` : ""}`);
    cells.push(`${fixed(l.sinceOccurred.p50, 1)} / ${fixed(l.sinceOccurred.p99, 1)}`);
    cells.push(`${fixed(l.sinceAnswered.p50, 1)} / ${fixed(l.sinceAnswered.p99, 1)}`);
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines;
}

export function eventsLines(rows: readonly EventsRow[], buses: readonly BusResult[], options: { postgres: boolean }) {
  return [
    "## Events",
    "",
    `- each row below: closed loop, the bench's concurrency, ${WARMUP_MS / 1000} s warm-up then ${SECONDS} s measured; the people processes here are the section's own (one at a time, on databases of their own, each first warmed by ${WARM_UP_MS / 1000} s of Hires, and, with a relay, until the consumer had caught up), beside the idle servers of the other cases`,
    "- raw pg rows: the raw pg floor's hire transaction on the main people database, alone and with the outbox's insert of its EmployeeHired (runtime/events/outbox.ts's own statement, envelope and NOTIFY) in the same transaction",
    "- HireEmployee rows: the people service with its relay publishing to the bus and a consumer (runtime/events/consumer.ts, in this process: its CPU is in the load process's) handling every EmployeeHired; and the same service with no bus configured, so no relay runs and the outbox only fills (as in the other cases' people process)",
    "",
    ...hireTable(rows, options.postgres),
    "",
    ...ratioLines(rows),
    "",
    "Through each bus: Hires/s, relay published/s (outbox rows marked published in the window) and consumer delivered/s (EmployeeHired handled in the window) are from the closed loop above; the backlogs are taken as it ends; then, once the consumer has caught up, Hires at a steady rate (100/s, or half of what the consumer delivered if lower) for the latency:",
    "commit → consumer is the handler's wall-clock time minus the envelope's occurred_at (stamped by the people process just before its outbox insert, so it includes the rest of the transaction and the commit; 1 ms resolution); Hire answered → consumer is the handler's time minus the time this process had the Hire's answer (same clock; negative when the event came first).",
    "",
    ...busTable(buses),
    "",
  ];
}
