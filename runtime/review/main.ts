import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseReviewArguments, type ReviewArguments } from "./arguments.js";
import { bufBreaking, bufBuild, bufLint } from "./buf.js";
import { type CallerGroup, CallerIndex } from "./callers.js";
import { diffContracts } from "./contract-diff.js";
import { type ContractModel, contractModel } from "./contract-model.js";
import { exportCommit, mergeBase, workingTreeRoot } from "./git.js";
import { openApiDiff } from "./openapi-diff.js";
import { packageReleasesIn, versionVerdict } from "./package-releases.js";
import { type ReleaseCommit, releaseCommits } from "./release-commits.js";
import { renderReport } from "./report.js";

// `npm run api:review -- --against <ref> [--out <file>] [--fail-on-breaking]`
// (or --since-release, --since-previous-release instead of --against): one
// Markdown report of the contract change between the merge base of HEAD and
// <ref> and the working tree (see docs/changing-things.md, "Reviewing a
// contract change"). Reviews the repository of the current folder.

function buildModel(tree: string, scratch: string, name: string): ContractModel {
  const out = path.join(scratch, `${name}.binpb`);
  bufBuild(tree, out);
  return contractModel(readFileSync(out));
}

/** Client names that more than one method answers to, across both sides: a text search cannot tell them apart. */
function sharedClientNames(models: readonly ContractModel[]): Map<string, string[]> {
  const paths = new Map<string, Set<string>>();
  for (const model of models) {
    for (const element of model.values()) {
      if (element.clientName === undefined || element.path === undefined) continue;
      paths.set(element.clientName, (paths.get(element.clientName) ?? new Set()).add(element.path));
    }
  }
  return new Map([...paths].filter(([, set]) => set.size > 1).map(([name, set]) => [name, [...set].sort()]));
}

/** The ref to compare with, and how the report names it. */
function comparedWith(tree: string, against: ReviewArguments["against"]): { ref: string; label: string } {
  if ("ref" in against) return { ref: against.ref, label: against.ref };
  const [current, previous] = releaseCommits(tree);
  const release = (r: ReleaseCommit, which: string) => ({
    ref: r.commit,
    label: `${which} @hr-platform/contracts ${r.version} (${r.commit.slice(0, 12)})`,
  });
  if (current === undefined) throw new Error("packages/contracts has no version in HEAD's history");
  // With one version only, its release is also the previous one: every change since it is reviewed.
  if (against.since === "previous-release" && previous !== undefined) return release(previous, "the release before");
  return release(current, "the release of");
}

function review(args: readonly string[]): number {
  const options = parseReviewArguments(args);
  const tree = workingTreeRoot(process.cwd());
  const against = comparedWith(tree, options.against);
  const base = mergeBase(tree, against.ref);
  const scratch = mkdtempSync(path.join(tmpdir(), "api-review-"));
  try {
    const baseTree = path.join(scratch, "base");
    mkdirSync(baseTree);
    exportCommit(tree, base, baseTree);
    const lint = bufLint(tree);
    const breaking = bufBreaking(tree, baseTree);
    const before = buildModel(baseTree, scratch, "base");
    const after = buildModel(tree, scratch, "working-tree");
    const diff = diffContracts(before, after);
    const version = versionVerdict(packageReleasesIn(baseTree), packageReleasesIn(tree), breaking.length);
    const index = new CallerIndex(tree);
    const callers = new Map<string, Record<CallerGroup, string[]>>();
    for (const { method } of diff.affectedMethods) {
      if (method.clientName !== undefined && method.path !== undefined) {
        callers.set(method.name, index.callersOf({ clientName: method.clientName, path: method.path }));
      }
    }
    const report = renderReport({
      against: against.label,
      mergeBase: base,
      lint,
      breaking,
      version,
      diff,
      callers,
      sharedClientNames: sharedClientNames([before, after]),
      openApi: openApiDiff(baseTree, tree),
    });
    if (options.out === undefined) {
      process.stdout.write(report);
    } else {
      const out = path.resolve(options.out);
      mkdirSync(path.dirname(out), { recursive: true });
      writeFileSync(out, report);
      process.stderr.write(`API review written to ${path.relative(process.cwd(), out) || out}\n`);
    }
    return options.failOnBreaking && !version.allowed ? 1 : 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  process.exitCode = review(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`api:review: ${(error as Error).message}\n`);
  process.exitCode = 2;
}
