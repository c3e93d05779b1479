import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../runtime/repo-root.js";

// packages/contracts as an application team gets it: packed with `npm pack`
// (its prepack copies the contracts in) and installed from the tarball into a
// project of its own in a temporary folder, with nothing of the workspace on
// its path.

let scratch: string;
let installed: string;

function protoFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".proto"))
    .sort();
}

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "contracts-package-"));
  const npm = (args: string[], cwd: string) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: "pipe" });
  npm(["pack", "--workspace", "packages/contracts", "--pack-destination", scratch, "--silent"], repoRoot);
  const tarball = readdirSync(scratch).find((file) => file.endsWith(".tgz"));
  if (tarball === undefined) throw new Error(`npm pack wrote no tarball in ${scratch}`);
  const consumer = path.join(scratch, "consumer");
  mkdirSync(consumer);
  writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  npm(["install", "--offline", "--no-audit", "--no-fund", path.join(scratch, tarball)], consumer);
  installed = path.join(consumer, "node_modules", "@hr-platform", "contracts");
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the contracts package, installed from its tarball", () => {
  it("holds every .proto file of the repository, its changelog and the workspace's version", () => {
    expect(protoFiles(path.join(installed, "proto"))).toEqual(protoFiles(path.join(repoRoot, "proto")));
    const manifest = (dir: string) =>
      JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version: string };
    expect(manifest(installed).version).toBe(manifest(path.join(repoRoot, "packages/contracts")).version);
    expect(readFileSync(path.join(installed, "CHANGELOG.md"), "utf8")).toContain(`## ${manifest(installed).version}`);
  });

  it("holds the descriptor set npm run generate built, with the contracts' comments", () => {
    const bytes = readFileSync(path.join(installed, "descriptor.binpb"));
    expect(bytes.equals(readFileSync(path.join(repoRoot, "generated/descriptor.binpb")))).toBe(true);
    const set = fromBinary(FileDescriptorSetSchema, bytes);
    const employees = set.file.find((file) => file.name === "hr/employee/v1/employee_service.proto");
    expect(employees?.service.map((service) => service.name)).toEqual(["EmployeeService"]);
    const comments = employees?.sourceCodeInfo?.location.filter((at) => at.leadingComments !== "") ?? [];
    expect(comments.length).toBeGreaterThan(10);
  });
});
