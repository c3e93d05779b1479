/** A contract's package split into its family and its version: "hr.directory.v2" → "hr.directory", "v2". */
export function familyAndVersion(protoPackage: string): { family: string; version: string } | undefined {
  const match = /^(.+)\.(v\d+[a-z0-9]*)$/.exec(protoPackage);
  return match ? { family: match[1] ?? "", version: match[2] ?? "" } : undefined;
}

/** What a request path names: one version's method, or a method of a family whose version the edge chooses. */
export type NamedRoute =
  | { kind: "versioned"; family: string; version: string }
  | { kind: "version-less"; family: string; pathOf: ReadonlyMap<string, string> };

/**
 * The versions the edge routes, indexed from the method paths it serves
 * ("/hr.directory.v1.DirectoryService/GetTeam"): for each family (the
 * package without its version, "hr.directory") its versions, and for each
 * version-less path ("/hr.directory.DirectoryService/GetTeam") the path it
 * becomes in each version that has the method. Built from the descriptors,
 * so a new version needs no code here either.
 */
export class ApiVersions {
  private readonly versioned = new Map<string, { family: string; version: string }>();
  private readonly versionLess = new Map<string, { family: string; pathOf: Map<string, string> }>();
  private readonly families = new Map<string, string[]>();

  constructor(paths: Iterable<string>) {
    for (const path of paths) {
      const [, service = "", method = ""] = path.split("/");
      const at = service.lastIndexOf(".");
      const named = familyAndVersion(service.slice(0, at));
      if (named === undefined) continue;
      this.versioned.set(path, named);
      const versionLessPath = `/${named.family}${service.slice(at)}/${method}`;
      const entry = this.versionLess.get(versionLessPath) ?? { family: named.family, pathOf: new Map() };
      entry.pathOf.set(named.version, path);
      this.versionLess.set(versionLessPath, entry);
      const versions = this.families.get(named.family) ?? [];
      if (!versions.includes(named.version)) this.families.set(named.family, [...versions, named.version].sort(older));
    }
  }

  /** What `path` names, or undefined when it is no route of the edge (404). */
  route(path: string): NamedRoute | undefined {
    const versioned = this.versioned.get(path);
    if (versioned !== undefined) return { kind: "versioned", ...versioned };
    const versionLess = this.versionLess.get(path);
    return versionLess && { kind: "version-less", ...versionLess };
  }

  /** A family's routed versions, oldest first; empty for a family the edge does not route. */
  versionsOf(family: string): readonly string[] {
    return this.families.get(family) ?? [];
  }

  /**
   * Where a version-less call goes when no rule names its family: the oldest
   * general-availability version (v1 before v2; never a v2beta1), so that
   * deploying a new version moves no traffic by itself. Undefined (404) for a
   * family with pre-release versions only.
   */
  defaultVersionOf(family: string): string | undefined {
    return this.versionsOf(family).find((version) => /^v\d+$/.test(version));
  }
}

/** Orders versions by number, then a release ("v2") after its pre-releases ("v2alpha", "v2beta1"). */
function older(a: string, b: string): number {
  const [na, sa] = parts(a);
  const [nb, sb] = parts(b);
  if (na !== nb) return na - nb;
  if (sa === "" || sb === "") return sa === "" ? (sb === "" ? 0 : 1) : -1;
  return sa.localeCompare(sb);
}

function parts(version: string): [number, string] {
  const match = /^v(\d+)(.*)$/.exec(version);
  return [Number(match?.[1] ?? 0), match?.[2] ?? ""];
}
