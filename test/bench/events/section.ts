import { randomUUID } from "node:crypto";
import pg from "pg";
import type { Env } from "../../../runtime/config.js";
import { freePort } from "../../support/free-port.js";
import { rawHireCase } from "../cases/floors.js";
import { onCleanup } from "../cleanup.js";
import { type Probe, treeProbe } from "../cpu.js";
import { type Measured, measure } from "../load.js";
import { launch } from "../processes.js";
import { openRawChannel } from "../raw-grpc-client.js";
import { type PeopleSeed, seedPeople } from "../seed/people.js";
import { type BusRun, runBus } from "./bus-run.js";
import { hires } from "./hire-call.js";
import { deleteStreams } from "./nats-streams.js";
import { eventsLines } from "./tables.js";
import { warmUp } from "./warm-up.js";

// Issue 18's events bench: the outbox's cost on a Hire, events per second
// through the relay on each bus, and the latency from commit to consumer.
// It starts people processes of its own (on databases of their own, with an
// events database of its own), one at a time: with no relay, with the relay
// on the events database, and with the relay on JetStream (NATS_URL set).

export const EVENTS_CASE = "Events";

export interface EventsBench {
  /** Creates a database on the bench's PostgreSQL (dropped at the end) and returns its URL. */
  database(name: string): Promise<string>;
  /** The caller's authorization header and tenant (the token's). */
  authorization: string;
  tenantId: string;
  /** The raw pg floors' pool on the main people database, and that database's seed. */
  rawPool: pg.Pool;
  rawSeed: PeopleSeed;
  /** PostgreSQL's process tree, when the bench's own. */
  postgres: Probe | undefined;
}

/** A measured row: what ran, which process served it, and the figures. */
export interface EventsRow {
  name: string;
  server: string | undefined;
  m: Measured;
}

export interface BusResult {
  mode: string;
  run: BusRun | undefined;
  /** Why the mode did not run. */
  skipped?: string;
}

export async function eventsSection(bench: EventsBench): Promise<string[]> {
  const pgProbes = bench.postgres ? [bench.postgres] : [];
  const rows: EventsRow[] = [];
  const step = (what: string) => process.stderr.write(`bench:   ${what} ... `);
  const perSecond = (m: Measured) => process.stderr.write(`${Math.round(m.calls / m.seconds)} calls/s\n`);
  // Two raw transactions on the main people database, keyed apart from the raw pg floor's own.
  for (const outbox of [false, true]) {
    const c = rawHireCase(bench.rawPool, bench.tenantId, bench.rawSeed, { outbox, key: `events-raw-${outbox}` });
    step(c.name);
    const m = await measure(c.call, pgProbes);
    perSecond(m);
    rows.push({ name: c.name, server: undefined, m });
  }

  const suffix = randomUUID().replaceAll("-", "").slice(0, 12);
  const eventsDb = await bench.database("events");
  const natsUrl = process.env.NATS_URL || undefined;
  const prefix = `bench${suffix}`;
  if (natsUrl) onCleanup(() => deleteStreams(natsUrl, prefix));

  /** A people process on `database` with `events` for its bus, for the span of `run`. */
  const withPeople = async <T>(name: string, database: string, events: Env, run: (served: Served) => Promise<T>) => {
    const port = await freePort();
    const env = { PEOPLE_PORT: String(port), PEOPLE_DATABASE_URL: database, EVENTS_NATS_PREFIX: prefix };
    const server = await launch(name, "services/people/main.ts", port, { ...env, ...clean(events) });
    onCleanup(() => server.stop());
    const channel = openRawChannel(`127.0.0.1:${port}`, { authorization: bench.authorization });
    try {
      // Seeded once the first process has migrated the database.
      const seed = seeds.get(database) ?? (await seedPeople(database, bench.tenantId, 1));
      seeds.set(database, seed);
      return await run({ channel, seed, probes: [treeProbe(name, server.pid), ...pgProbes] });
    } finally {
      channel.close();
      await server.stop();
    }
  };
  const seeds = new Map<string, PeopleSeed>();

  // The same Hire with no bus configured, so no relay runs and the outbox only fills (as in the
  // bench's other cases), on a database of its own: its unpublished rows must not reach the relays
  // below. Right before the first bus, so the two Hire rows compared see the machine alike.
  const bare = "people (no relay)";
  step("HireEmployee with no relay");
  const bareDb = await bench.database("events_people_no_relay");
  const noRelay = await withPeople(bare, bareDb, { EVENTS_DATABASE_URL: "", NATS_URL: "" }, async (served) => {
    const warming = hires(served.channel, served.seed, `bench-no-relay-warm-${suffix}`);
    await warmUp((i) => warming.call(i));
    const hiring = hires(served.channel, served.seed, `bench-no-relay-${suffix}`);
    return measure((i) => hiring.call(i), served.probes);
  });
  perSecond(noRelay);
  rows.push({ name: "HireEmployee, no relay running (the outbox fills)", server: bare, m: noRelay });

  // Both buses relay from one people database in turn: each relay finds every earlier row published.
  const peopleDb = await bench.database("events_people");
  const peoplePool = new pg.Pool({ connectionString: peopleDb, max: 2 });
  onCleanup(() => peoplePool.end());
  const buses: BusResult[] = [];
  const modes: [string, Env | undefined][] = [
    ["events database (PostgreSQL)", { EVENTS_DATABASE_URL: eventsDb, NATS_URL: "" }],
    ["NATS JetStream", natsUrl ? { EVENTS_DATABASE_URL: eventsDb, NATS_URL: natsUrl } : undefined],
  ];
  for (const [mode, events] of modes) {
    if (events === undefined) {
      buses.push({ mode, run: undefined, skipped: "skipped: NATS_URL not set" });
      continue;
    }
    const server = `people (relay to ${mode})`;
    step(`Events through ${mode}`);
    const run = await withPeople(server, peopleDb, events, ({ channel, seed, probes }) =>
      runBus({
        consumer: `bench-${mode.startsWith("NATS") ? "nats" : "postgres"}-${suffix}`,
        env: { ...events, EVENTS_NATS_PREFIX: prefix },
        ...{ channel, seed, peopleDb: peoplePool, probes },
      }),
    );
    process.stderr.write(`${Math.round(run.deliveredPerSecond)} delivered/s\n`);
    buses.push({ mode, run });
    rows.push({ name: `HireEmployee, relay to ${mode} and a consumer running`, server, m: run.hire });
  }
  return eventsLines(rows, buses, { postgres: bench.postgres !== undefined });
}

interface Served {
  channel: ReturnType<typeof openRawChannel>;
  seed: PeopleSeed;
  probes: Probe[];
}

/** `""` unsets a variable for the child (the runtime reads an empty value as unset), whatever the bench's own environment says. */
function clean(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value ?? ""]));
}
