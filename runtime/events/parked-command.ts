import { ConfigError } from "../config.js";
import type { Sql } from "../db/sql.js";
import { listParked, requestReplay } from "./parked-events.js";

export const EVENTS_USAGE = "usage: npm run events -- parked | replay <consumer> [<event-id>...]";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The operator's commands over parked events, the same whatever the
 * transport (parked events are kept in the events database in both modes):
 * `parked` prints the count per consumer, then every parked event; `replay
 * <consumer> [<event-id>...]` marks that consumer's parked events (all, or
 * those) for replay: its active replica delivers them again and removes
 * each once handled, and one that fails again stays parked.
 */
export async function runEventsCommand(args: readonly string[], db: Sql, out: (line: string) => void): Promise<void> {
  const [command, consumer, ...eventIds] = args;
  if (command === "parked" && consumer === undefined) {
    const parked = await listParked(db);
    const counts = new Map<string, number>();
    for (const row of parked) counts.set(row.consumer, (counts.get(row.consumer) ?? 0) + 1);
    out(`parked events: ${parked.length}`);
    for (const [name, count] of counts) out(`  ${name}: ${count}`);
    for (const row of parked) {
      const replay = row.replayRequestedAt ? " replay-requested" : "";
      const when = row.parkedAt.toISOString();
      out(
        `${row.consumer} ${row.eventId} ${row.stream} ${row.eventType} attempts=${row.attempts} parked=${when}${replay}`,
      );
      out(`  last error: ${row.lastError.split("\n")[0]}`);
    }
    return;
  }
  if (command === "replay" && consumer !== undefined) {
    const bad = eventIds.filter((id) => !UUID.test(id));
    if (bad.length > 0) throw new ConfigError(`not event ids: ${bad.join(", ")}`);
    const marked = await requestReplay(db, consumer, eventIds);
    out(`replay requested for ${marked.length} parked event(s) of ${consumer}`);
    const missing = eventIds.filter((id) => !marked.includes(id.toLowerCase()));
    if (missing.length > 0) out(`not parked for ${consumer}: ${missing.join(", ")}`);
    return;
  }
  throw new ConfigError(EVENTS_USAGE);
}
