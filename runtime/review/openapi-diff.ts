import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

// The change to the API reference application teams read: the committed
// OpenAPI document (generated/openapi.json, written by `npm run generate`)
// of the merge base against the working tree's, as a unified diff.

const DOCUMENT = "generated/openapi.json";
/** Past this many lines the report shows the start and says how much it left out. */
const MAX_LINES = 400;

export interface OpenApiDiff {
  /** The diff's hunks (from the first `@@`), empty when the documents are the same. */
  lines: string[];
  /** Lines left out past MAX_LINES. */
  omitted: number;
  /** Set when a side has no document. */
  missing?: string;
}

export function openApiDiff(baseTree: string, tree: string): OpenApiDiff {
  const before = path.join(baseTree, DOCUMENT);
  const after = path.join(tree, DOCUMENT);
  if (!existsSync(after)) return { lines: [], omitted: 0, missing: `the working tree has no ${DOCUMENT}` };
  if (!existsSync(before)) return { lines: [], omitted: 0, missing: `the merge base has no ${DOCUMENT}` };
  // git's diff works outside a repository too, and every machine that runs the review has git.
  const run = spawnSync("git", ["diff", "--no-index", "--no-color", "-U3", before, after], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0 && run.status !== 1) throw new Error(`git diff of ${DOCUMENT} failed: ${run.stderr}`);
  if (run.status === 0) return { lines: [], omitted: 0 };
  const all = run.stdout.replace(/\n$/, "").split("\n");
  // Drop the header: it names the temporary folders, and the report must not vary between runs.
  const hunks = all.slice(
    Math.max(
      0,
      all.findIndex((line) => line.startsWith("@@")),
    ),
  );
  return { lines: hunks.slice(0, MAX_LINES), omitted: Math.max(0, hunks.length - MAX_LINES) };
}
