/**
 * Insertions into hand-written files at anchors found by text. Each either
 * returns the new text or throws a Refusal naming what it could not find,
 * so the scaffold plans every edit before it writes any (no half-written
 * context). The scaffold formats the edited files with biome afterwards,
 * which also sorts the imports added here.
 */

/** Why the scaffold writes nothing; the message is shown as it is. */
export class Refusal extends Error {}

const CLOSER: Record<string, string> = { "[": "]", "{": "}", "(": ")" };

/** Index of the bracket closing the one at `open`, skipping strings and comments. */
export function matchingClose(text: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"' || c === "'" || c === "`") {
      for (i++; i < text.length && text.charAt(i) !== c; i++) if (text.charAt(i) === "\\") i++;
    } else if (c === "/" && text.charAt(i + 1) === "/") {
      i = text.indexOf("\n", i);
      if (i < 0) break;
    } else if (c === "/" && text.charAt(i + 1) === "*") {
      i = text.indexOf("*/", i) + 1;
      if (i <= 0) break;
    } else if (CLOSER[c]) {
      stack.push(CLOSER[c]);
    } else if (c === "]" || c === "}" || c === ")") {
      if (stack.pop() !== c) break;
      if (stack.length === 0) return i;
    }
  }
  throw new Refusal(`unbalanced brackets after offset ${open}`);
}

/** Adds `item` as the last element of the list or object opened at `open` (a multi-line one on a line of its own). */
export function appendItem(text: string, open: number, item: string): string {
  const close = matchingClose(text, open);
  const inside = text.slice(open + 1, close);
  const body = inside.trimEnd();
  const end = open + 1 + body.length;
  if (body.trim() === "") return `${text.slice(0, open + 1)}${item}${text.slice(close)}`;
  if (!inside.includes("\n")) return `${text.slice(0, end)}, ${item}${text.slice(end)}`;
  const lastLine = body.slice(body.lastIndexOf("\n") + 1);
  const indent = /^\s*/.exec(lastLine)?.[0] ?? "";
  const separator = body.endsWith(",") ? "" : ",";
  return `${text.slice(0, end)}${separator}\n${indent}${item},${text.slice(end)}`;
}

/** The index of `anchor` in `text` (after `from`), or a Refusal naming the file. */
export function find(text: string, anchor: string | RegExp, file: string, from = 0): number {
  if (typeof anchor === "string") {
    const at = text.indexOf(anchor, from);
    if (at < 0) throw new Refusal(`${file}: cannot find ${JSON.stringify(anchor)}`);
    return at;
  }
  const re = new RegExp(anchor.source, anchor.flags.includes("g") ? anchor.flags : `${anchor.flags}g`);
  re.lastIndex = from;
  const match = re.exec(text);
  if (match === null) throw new Refusal(`${file}: cannot find ${anchor}`);
  return match.index;
}

/**
 * Inserts `line` into the run of consecutive lines matching `member` that
 * follows `anchor`, at its sorted place (the run keeps its order otherwise).
 */
export function insertSortedLine(text: string, file: string, anchor: string, member: RegExp, line: string): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.includes(anchor));
  if (start < 0) throw new Refusal(`${file}: cannot find ${JSON.stringify(anchor)}`);
  const first = lines.findIndex((l, i) => i > start && member.test(l));
  if (first < 0) throw new Refusal(`${file}: no list matching ${member} after ${JSON.stringify(anchor)}`);
  let last = first;
  while (last + 1 < lines.length && member.test(lines[last + 1] ?? "")) last++;
  const key = (l: string) => l.trim();
  let at = first;
  while (at <= last && key(lines[at] ?? "") < key(line)) at++;
  lines.splice(at, 0, line);
  return lines.join("\n");
}

/** Adds an import statement after the last one; biome sorts them afterwards. */
export function addImport(text: string, file: string, statement: string): string {
  const endings = [...text.matchAll(/^(?:import .* from "[^"]+";|\} from "[^"]+";)$/gm)];
  const last = endings.at(-1);
  if (last === undefined) throw new Refusal(`${file}: no import statement to add one after`);
  const end = last.index + last[0].length;
  return `${text.slice(0, end)}\n${statement}${text.slice(end)}`;
}
