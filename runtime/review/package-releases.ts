import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// The rule that ties a contract change to the versions of the packages
// application teams install (every workspace package under packages/: the
// contracts and the clients generated from them): a change `buf breaking`
// reports ships only under a new major version of each, and every version has
// its changelog entry. Checked by the review, so CI fails where a reviewer would.

const PACKAGES = "packages";

/** One package as one tree has it. */
export interface PackageRelease {
  /** Its folder, "packages/contracts". */
  folder: string;
  name: string;
  version: string;
  major: number;
  /** Whether CHANGELOG.md has a `## <version>` heading. */
  changelogHasEntry: boolean;
}

/** The packages in `tree`, by folder; none when the tree has no packages/ (a merge base older than them). */
export function packageReleasesIn(tree: string): Map<string, PackageRelease> {
  const releases = new Map<string, PackageRelease>();
  const root = path.join(tree, PACKAGES);
  if (!existsSync(root)) return releases;
  for (const entry of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const folder = `${PACKAGES}/${entry.name}`;
    const manifest = path.join(tree, folder, "package.json");
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name: string; version: string };
    const changelog = path.join(tree, folder, "CHANGELOG.md");
    const entries = existsSync(changelog) ? readFileSync(changelog, "utf8").split("\n") : [];
    releases.set(folder, {
      folder,
      name,
      version,
      major: Number(version.split(".")[0]),
      changelogHasEntry: entries.some((line) => line.trim() === `## ${version}`),
    });
  }
  return new Map([...releases].sort(([a], [b]) => a.localeCompare(b)));
}

/** Whether the change may ship as versioned, and one sentence per package that says why (the report shows them). */
export interface VersionVerdict {
  allowed: boolean;
  messages: string[];
}

export function versionVerdict(
  base: ReadonlyMap<string, PackageRelease>,
  now: ReadonlyMap<string, PackageRelease>,
  breakingFindings: number,
): VersionVerdict {
  if (now.size === 0) return { allowed: true, messages: [`no ${PACKAGES}/ in the working tree: no version rule`] };
  const verdicts = [...now.values()].map((release) =>
    packageVerdict(base.get(release.folder), release, breakingFindings),
  );
  return { allowed: verdicts.every((v) => v.allowed), messages: verdicts.map((v) => v.message) };
}

function packageVerdict(
  base: PackageRelease | undefined,
  now: PackageRelease,
  breakingFindings: number,
): { allowed: boolean; message: string } {
  const was = base === undefined ? "no package at the merge base" : `merge base ${base.version}`;
  const where = `${now.name} ${now.version} (${was})`;
  if (!now.changelogHasEntry)
    return { allowed: false, message: `${where}: ${now.folder}/CHANGELOG.md has no "## ${now.version}" entry` };
  if (breakingFindings > 0 && base !== undefined && now.major <= base.major) {
    const next = `${base.major + 1}.0.0`;
    const message = `${where}: ${breakingFindings} breaking change(s) under the same major version; move the package to ${next} and add its changelog entry`;
    return { allowed: false, message };
  }
  return { allowed: true, message: `${where}: allowed` };
}
