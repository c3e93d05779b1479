import { execFileSync } from "node:child_process";

// Where the contracts' versions were set, for a review "since the release":
// every change after the commit that set the current version ships under that
// version, so CI compares against that commit, and against the one that set
// the version before it (a breaking change and a minor bump in one submission
// must still move the major). Unlike HEAD~1, neither lets a change spread
// over several commits pass unseen.

const MANIFEST = "packages/contracts/package.json";

export interface ReleaseCommit {
  commit: string;
  version: string;
}

function git(root: string, args: readonly string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function versionAt(root: string, commit: string): string | undefined {
  try {
    return (JSON.parse(git(root, ["show", `${commit}:${MANIFEST}`])) as { version: string }).version;
  } catch {
    return undefined; // no package at that commit
  }
}

/**
 * The commits that set each version of the contracts package, newest first,
 * on HEAD's first-parent line (a merge counts as the commit that brought the
 * version in).
 */
export function releaseCommits(root: string): ReleaseCommit[] {
  const touching = git(root, ["log", "--first-parent", "--format=%H", "--", MANIFEST]).split("\n").filter(Boolean);
  const releases: ReleaseCommit[] = [];
  let newer: string | undefined;
  for (const commit of touching) {
    const version = versionAt(root, commit);
    if (version === undefined) break;
    // Walking back: while the version stays the same, the older commit is where it was set.
    if (version === newer) releases[releases.length - 1] = { commit, version };
    else releases.push({ commit, version });
    newer = version;
  }
  return releases;
}
