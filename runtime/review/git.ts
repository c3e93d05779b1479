import { execFileSync } from "node:child_process";

// The git side of a review: which tree is reviewed, and the merge base's
// contracts as plain files, so buf builds and compares them like any folder
// (a `.git#ref=` input would clone with a limited depth and miss an old base).

function git(cwd: string, args: readonly string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** The top folder of the repository `cwd` is in: the working tree under review. */
export function workingTreeRoot(cwd: string): string {
  return git(cwd, ["rev-parse", "--show-toplevel"]);
}

/** The commit HEAD and `ref` last shared, as a full sha. */
export function mergeBase(root: string, ref: string): string {
  return git(root, ["merge-base", "HEAD", ref]);
}

/** Writes the tree of `commit` into `dir` (an existing, empty folder). */
export function exportCommit(root: string, commit: string, dir: string): void {
  const tar = execFileSync("git", ["archive", "--format=tar", commit], { cwd: root, maxBuffer: 1 << 30 });
  execFileSync("tar", ["-x", "-C", dir], { input: tar });
}
