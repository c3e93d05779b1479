import { describe, expect, it } from "vitest";
import { ApiVersions } from "../../apps/gateway/versions/api-versions.js";
import { bucketOf, type VersionSplit, versionFor } from "../../apps/gateway/versions/version-split.js";
import { parseVersionsFile } from "../../apps/gateway/versions/versions-file.js";

// How the gateway chooses a version for a version-less call (apps/gateway/version-split.ts,
// api-versions.ts, versions-file.ts), without servers: the end-to-end split over HTTP is in
// test/apps/gateway-versions.test.ts.

const TENANTS = Array.from({ length: 10_000 }, (_, i) => `tenant-${i}`);
const split = (over: Partial<VersionSplit> = {}): VersionSplit => ({
  stable: "v1",
  candidate: "v2",
  candidatePercent: 0,
  candidateTenants: new Set(),
  ...over,
});
const onCandidate = (s: VersionSplit) => TENANTS.filter((t) => versionFor("hr.directory", s, t) === "v2");

describe("the split of one family", () => {
  it("sends no tenant to the candidate at 0 % and every tenant at 100 %", () => {
    expect(onCandidate(split())).toEqual([]);
    expect(onCandidate(split({ candidatePercent: 100 }))).toEqual(TENANTS);
  });

  it("sends about the share asked for, and raising it only adds tenants", () => {
    const ten = onCandidate(split({ candidatePercent: 10 }));
    const thirty = new Set(onCandidate(split({ candidatePercent: 30 })));
    expect(ten.length / TENANTS.length).toBeCloseTo(0.1, 1);
    expect(thirty.size / TENANTS.length).toBeCloseTo(0.3, 1);
    expect(ten.filter((t) => !thirty.has(t))).toEqual([]);
  });

  it("is sticky: a tenant's place depends only on the family, the candidate and the tenant", () => {
    expect(bucketOf("hr.directory", "v2", "acme")).toBe(bucketOf("hr.directory", "v2", "acme"));
    const places = (family: string, candidate: string) =>
      TENANTS.slice(0, 50).map((t) => bucketOf(family, candidate, t));
    expect(places("hr.directory", "v3")).not.toEqual(places("hr.directory", "v2"));
    expect(places("hr.selfservice", "v2")).not.toEqual(places("hr.directory", "v2"));
  });

  it("sends a cohort tenant to the candidate whatever the share, and an anonymous call to the stable version", () => {
    const s = split({ candidateTenants: new Set(["tenant-7"]) });
    expect(onCandidate(s)).toEqual(["tenant-7"]);
    expect(versionFor("hr.directory", split({ candidatePercent: 100 }), undefined)).toBe("v1");
    expect(versionFor("hr.directory", split({ candidate: undefined, candidatePercent: 100 }), "tenant-7")).toBe("v1");
  });
});

describe("the versions the edge routes", () => {
  const versions = new ApiVersions([
    "/hr.directory.v2.DirectoryService/GetTeam",
    "/hr.directory.v1.DirectoryService/GetTeam",
    "/hr.directory.v1.DirectoryService/GetManagerChain",
    "/hr.directory.v10.DirectoryService/GetTeam",
    "/hr.directory.v2beta1.DirectoryService/GetTeam",
    "/hr.preview.v1alpha.PreviewService/Try",
  ]);

  it("orders a family's versions oldest first, a release after its pre-releases", () => {
    expect(versions.versionsOf("hr.directory")).toEqual(["v1", "v2beta1", "v2", "v10"]);
  });

  it("defaults to the oldest release, and to none for a family of pre-releases only", () => {
    expect(versions.defaultVersionOf("hr.directory")).toBe("v1");
    expect(versions.defaultVersionOf("hr.preview")).toBeUndefined();
  });

  it("names the route of a versioned path and of a version-less one, and none for anything else", () => {
    expect(versions.route("/hr.directory.v2.DirectoryService/GetTeam")).toEqual({
      kind: "versioned",
      family: "hr.directory",
      version: "v2",
    });
    const versionLess = versions.route("/hr.directory.DirectoryService/GetManagerChain");
    expect(versionLess?.kind === "version-less" && [...versionLess.pathOf]).toEqual([
      ["v1", "/hr.directory.v1.DirectoryService/GetManagerChain"],
    ]);
    expect(versions.route("/hr.directory.v3.DirectoryService/GetTeam")).toBeUndefined();
    expect(versions.route("/hr.directory.DirectoryService/Nope")).toBeUndefined();
  });
});

describe("the versions file", () => {
  const versions = new ApiVersions([
    "/hr.directory.v1.DirectoryService/GetTeam",
    "/hr.directory.v2.DirectoryService/GetTeam",
  ]);
  const parse = (json: unknown) => parseVersionsFile(JSON.stringify(json), versions);

  it("reads a family's split, with a share and a cohort", () => {
    const splits = parse({
      "hr.directory": { stable: "v1", candidate: "v2", candidatePercent: 12.5, candidateTenants: ["acme"] },
    });
    expect(splits.get("hr.directory")).toEqual(split({ candidatePercent: 12.5, candidateTenants: new Set(["acme"]) }));
    expect(parse({ "hr.directory": { stable: "v2" } }).get("hr.directory")).toEqual(
      split({ stable: "v2", candidate: undefined }),
    );
  });

  it.each([
    ["text that is not JSON", "{", /not JSON/],
    ["a misspelt key", { "hr.directory": { stable: "v1", candidatPercent: 5 } }, /candidatPercent/],
    ["a share over 100", { "hr.directory": { stable: "v1", candidate: "v2", candidatePercent: 150 } }, /100/],
    ["a malformed tenant", { "hr.directory": { stable: "v1", candidate: "v2", candidateTenants: ["a b"] } }, /tenant/],
    ["a family not routed", { "hr.payroll": { stable: "v1" } }, /hr\.payroll: no routed family/],
    ["a version not routed", { "hr.directory": { stable: "v1", candidate: "v3" } }, /routed versions are v1, v2/],
    ["the same version twice", { "hr.directory": { stable: "v2", candidate: "v2" } }, /candidate is the stable/],
    ["a share without a candidate", { "hr.directory": { stable: "v1", candidatePercent: 5 } }, /without a candidate/],
  ])("refuses %s, naming the problem", (_, json, problem) => {
    const text = typeof json === "string" ? json : JSON.stringify(json);
    expect(() => parseVersionsFile(text, versions)).toThrow(problem);
  });
});
