import { readFileSync, type Stats, unwatchFile, watchFile } from "node:fs";
import type { Logger } from "pino";
import { z } from "zod";
import { TENANT_ID } from "../../../runtime/auth/claim-shapes.js";
import type { ApiVersions } from "./api-versions.js";
import { type VersionSplit, versionFor } from "./version-split.js";

// The versions file (docs/gateway.md, "Versions side by side"), e.g.
//   { "hr.directory": { "stable": "v1", "candidate": "v2", "candidatePercent": 10, "candidateTenants": ["acme"] } }
// Read with zod: one declaration gives the parsed type, refuses misspelt keys
// (a "candidatPercent" must not quietly mean 0 %), and names the path of every
// bad value in its message; hand-written checks would do the same at more length.
const VERSION = z.string().regex(/^v\d+[a-z0-9]*$/, "must be a version such as v1 or v2beta1");
const FAMILY_SPLIT = z.strictObject({
  stable: VERSION,
  candidate: VERSION.optional(),
  candidatePercent: z.number().min(0).max(100).default(0),
  candidateTenants: z.array(z.string().regex(TENANT_ID, "must be a tenant id")).max(10_000).default([]),
});
const VERSIONS_FILE = z.record(z.string(), FAMILY_SPLIT);

/** The splits a versions file declares, checked against the versions the edge routes; throws with every problem named. */
export function parseVersionsFile(text: string, versions: ApiVersions): Map<string, VersionSplit> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = VERSIONS_FILE.safeParse(json);
  if (!parsed.success) throw new Error(z.prettifyError(parsed.error).replaceAll("\n", " "));
  const problems: string[] = [];
  const splits = new Map<string, VersionSplit>();
  for (const [family, split] of Object.entries(parsed.data)) {
    const routed = versions.versionsOf(family);
    const named = (version: string | undefined) => version === undefined || routed.includes(version);
    if (routed.length === 0) problems.push(`${family}: no routed family of that name`);
    else if (!named(split.stable) || !named(split.candidate)) {
      problems.push(`${family}: routed versions are ${routed.join(", ")}`);
    } else if (split.candidate === split.stable) problems.push(`${family}: the candidate is the stable version`);
    else if (split.candidate === undefined && (split.candidatePercent > 0 || split.candidateTenants.length > 0)) {
      problems.push(`${family}: a share or cohort without a candidate version`);
    }
    splits.set(family, { ...split, candidateTenants: new Set(split.candidateTenants) });
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  return splits;
}

/**
 * Where version-less calls go: each family's split from the versions file,
 * else its default version (ApiVersions.defaultVersionOf). Replaced whole
 * when the file changes, so a call sees either the old routing or the new.
 */
export class VersionRouting {
  constructor(
    private readonly versions: ApiVersions,
    private splits: ReadonlyMap<string, VersionSplit> = new Map(),
  ) {}

  /** The version a version-less call of `family` by `tenantId` goes to; undefined when there is none (404). */
  versionFor(family: string, tenantId: string | undefined): string | undefined {
    const split = this.splits.get(family);
    return split ? versionFor(family, split, tenantId) : this.versions.defaultVersionOf(family);
  }

  replace(splits: ReadonlyMap<string, VersionSplit>): void {
    this.splits = splits;
  }
}

/**
 * The routing of `file` (GATEWAY_VERSIONS_FILE), followed as it changes: no
 * restart needed. A file that cannot be read or is invalid stops the start;
 * later, it is logged and the last good routing stays. Polled (fs.watchFile,
 * every `pollMs`) rather than fs.watch: polling the path's status sees a file
 * replaced by rename, the safe way to write it, and a Kubernetes ConfigMap's
 * symlink swap, which an inotify watch on the old file misses.
 */
export function followVersionsFile(
  file: string | undefined,
  pollMs: number,
  versions: ApiVersions,
  logger: Logger,
): { routing: VersionRouting; stop(): void } {
  if (file === undefined) return { routing: new VersionRouting(versions), stop() {} };
  const read = () => parseVersionsFile(readFileSync(file, "utf8"), versions);
  let initial: Map<string, VersionSplit>;
  try {
    initial = read();
  } catch (error) {
    throw new Error(`GATEWAY_VERSIONS_FILE ${file}: ${messageOf(error)}`);
  }
  const routing = new VersionRouting(versions, initial);
  logger.info({ file, splits: described(initial) }, "version routing");
  const changed = (now: Stats, before: Stats) => {
    if (now.mtimeMs === before.mtimeMs && now.ino === before.ino && now.size === before.size) return;
    try {
      const splits = read();
      routing.replace(splits);
      logger.info({ file, splits: described(splits) }, "version routing changed");
    } catch (error) {
      logger.error({ file, problem: messageOf(error) }, "versions file rejected: the last good routing stays");
    }
  };
  watchFile(file, { interval: pollMs, persistent: false }, changed);
  return { routing, stop: () => unwatchFile(file, changed) };
}

function described(splits: ReadonlyMap<string, VersionSplit>) {
  return Object.fromEntries(
    [...splits].map(([family, split]) => [family, { ...split, candidateTenants: split.candidateTenants.size }]),
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
