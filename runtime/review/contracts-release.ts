import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

// The rule that ties a contract change to the version of the package
// application teams install (packages/contracts): a change `buf breaking`
// reports ships only under a new major version, and every version has its
// changelog entry. Checked by the review, so CI fails where a reviewer would.

const PACKAGE = "packages/contracts";

/** The contracts package as one tree has it. */
export interface ContractsRelease {
  version: string;
  major: number;
  /** Whether CHANGELOG.md has a `## <version>` heading. */
  changelogHasEntry: boolean;
}

/** The package in `tree`; undefined when the tree has none (a merge base older than the package). */
export function contractsReleaseIn(tree: string): ContractsRelease | undefined {
  const manifest = path.join(tree, PACKAGE, "package.json");
  if (!existsSync(manifest)) return undefined;
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  const changelog = path.join(tree, PACKAGE, "CHANGELOG.md");
  const entries = existsSync(changelog) ? readFileSync(changelog, "utf8").split("\n") : [];
  return {
    version,
    major: Number(version.split(".")[0]),
    changelogHasEntry: entries.some((line) => line.trim() === `## ${version}`),
  };
}

/** Whether the change may ship as versioned, and the sentence that says why (the report shows it). */
export interface VersionVerdict {
  allowed: boolean;
  message: string;
}

export function versionVerdict(
  base: ContractsRelease | undefined,
  now: ContractsRelease | undefined,
  breakingFindings: number,
): VersionVerdict {
  if (now === undefined) return { allowed: true, message: `no ${PACKAGE} in the working tree: no version rule` };
  const was = base === undefined ? "no package at the merge base" : `merge base ${base.version}`;
  const where = `@hr-platform/contracts ${now.version} (${was})`;
  if (!now.changelogHasEntry)
    return { allowed: false, message: `${where}: ${PACKAGE}/CHANGELOG.md has no "## ${now.version}" entry` };
  if (breakingFindings > 0 && base !== undefined && now.major <= base.major) {
    const next = `${base.major + 1}.0.0`;
    const message = `${where}: ${breakingFindings} breaking change(s) under the same major version; move the package to ${next} and add its changelog entry`;
    return { allowed: false, message };
  }
  return { allowed: true, message: `${where}: allowed` };
}
