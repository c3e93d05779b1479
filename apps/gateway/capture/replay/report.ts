import type { JsonValue } from "@bufbuild/protobuf";
import type { ReplayedCall } from "./replay.js";

/**
 * The replay's report for people: counts first, then each call that
 * differs (with every difference), each call not replayable, each skipped.
 * Values shown come from scrubbed answers only.
 */
export function replayReport(replayed: readonly ReplayedCall[], header: string, unreadable: readonly number[]): string {
  const count = (kind: string) => replayed.filter(({ outcome }) => outcome.kind === kind).length;
  const lines = [
    header,
    `  ${count("same")} same, ${count("different")} different, ${count("not-replayable")} not replayable, ${count("skipped")} skipped`,
  ];
  if (unreadable.length > 0) lines.push(`  unreadable lines (not captured calls): ${unreadable.join(", ")}`);
  const section = (title: string, kind: string, describe: (call: ReplayedCall) => string[]) => {
    const calls = replayed.filter(({ outcome }) => outcome.kind === kind);
    if (calls.length === 0) return;
    lines.push("", title);
    for (const call of calls)
      lines.push(`  ${call.path} (request ${call.call.requestId}, ${call.call.time})`, ...describe(call));
  };
  section("different:", "different", ({ outcome }) =>
    outcome.kind === "different"
      ? outcome.differences.map((d) => `    ${d.path}: captured ${shown(d.captured)}, now ${shown(d.now)}`)
      : [],
  );
  section("not replayable (a scrubbed field held what the call needs; not sent):", "not-replayable", ({ outcome }) =>
    outcome.kind === "not-replayable" ? [`    scrubbed: ${outcome.scrubbed.join(", ")}`] : [],
  );
  section("skipped (not sent):", "skipped", ({ outcome }) =>
    outcome.kind === "skipped" ? [`    ${outcome.reason}`] : [],
  );
  return `${lines.join("\n")}\n`;
}

const MAX_SHOWN = 200;

function shown(value: JsonValue | undefined): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}
