import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { cruise, format, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The import rules of ARCHITECTURE.md ("The repository", "Tests"). Module rules live in
// .dependency-cruiser.cjs; what a module graph cannot see (calls that build gRPC clients,
// imports between .proto files) is scanned here. Every check is also run against planted
// violations, so none of them can pass vacuously.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CONFIG_FILE = join(ROOT, ".dependency-cruiser.cjs");
const CRUISED = ["runtime", "services", "apps", "generated"];
const APP_PROTO_PACKAGES: readonly string[] = createRequire(import.meta.url)(CONFIG_FILE).APP_PROTO_PACKAGES;

/** Cruises `roots` (relative to `baseDir`) with the repository's rules and the tsconfig.json in `baseDir`. */
async function cruiseTree(baseDir: string, roots: string[]): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(CONFIG_FILE);
  const tsConfigFile = join(baseDir, "tsconfig.json");
  const { output } = await cruise(
    roots.filter((root) => existsSync(join(baseDir, root))),
    { ...options, baseDir, tsConfig: { fileName: tsConfigFile } },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  if (typeof output === "string") throw new Error(`expected a cruise result, got: ${output}`);
  return output;
}

/** "rule: from → to" per violation (a cycle as its sorted members), sorted: easy to compare and to read. */
function violationsOf(result: ICruiseResult): string[] {
  const lines = result.summary.violations.map((v) =>
    v.cycle
      ? `${v.rule.name}: ${[...new Set([v.from, ...v.cycle.map((step) => step.name)])].sort().join(" ⇄ ")}`
      : `${v.rule.name}: ${v.from} → ${v.to}`,
  );
  return [...new Set(lines)].sort();
}

async function readable(result: ICruiseResult): Promise<string> {
  const { output } = await format(result, { outputType: "err-long" });
  return String(output);
}

function filesUnder(baseDir: string, dir: string, extension: string): string[] {
  const full = join(baseDir, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(extension) && !name.endsWith(".d.ts"))
    .map((name) => join(dir, name).split(sep).join("/"))
    .sort();
}

// A data service never builds a client: a module rule stops imports of runtime/client/, and
// this scan catches nice-grpc's factories called directly.
const CLIENT_CONSTRUCTION = ["createChannel(", "createClient(", "createClientFactory(", "runtime/client/"];

function clientConstructionIn(baseDir: string): string[] {
  return filesUnder(baseDir, "services", ".ts").flatMap((file) => {
    const source = readFileSync(join(baseDir, file), "utf8");
    return CLIENT_CONSTRUCTION.filter((needle) => source.includes(needle)).map((needle) => `${file}: ${needle}`);
  });
}

/** Imports of an app's proto package from a data context's .proto file. */
function protoImportsOfApps(baseDir: string): { checked: string[]; violations: string[] } {
  const checked = filesUnder(baseDir, "proto/hr", ".proto").filter(
    (file) => !APP_PROTO_PACKAGES.includes(file.split("/")[2] ?? ""),
  );
  const violations = checked.flatMap((file) =>
    [
      ...readFileSync(join(baseDir, file), "utf8").matchAll(
        /^\s*import\s+(?:public\s+|weak\s+)?"(hr\/([^/"]+)\/[^"]*)"/gm,
      ),
    ]
      .filter((match) => APP_PROTO_PACKAGES.includes(match[2] ?? ""))
      .map((match) => `${file} imports ${match[1]}`),
  );
  return { checked, violations };
}

describe("the repository", () => {
  let result: ICruiseResult;
  beforeAll(async () => {
    result = await cruiseTree(ROOT, CRUISED);
  }, 60_000);

  it("cruises every TypeScript file of runtime, services, apps and generated", () => {
    // With TypeScript 7 (no JS compiler API) dependency-cruiser sees no .ts module at all and
    // every rule passes on nothing: make sure the cruise really saw the code.
    const seen = new Set(result.modules.map((m) => m.source));
    const onDisk = CRUISED.flatMap((dir) => filesUnder(ROOT, dir, ".ts"));
    expect(onDisk.length).toBeGreaterThan(20);
    expect(onDisk.filter((file) => !seen.has(file))).toEqual([]);
    expect(result.summary.totalDependenciesCruised).toBeGreaterThan(50);
  });

  it("follows the import rules of .dependency-cruiser.cjs", async () => {
    const violations = violationsOf(result);
    expect(violations, violations.length ? await readable(result) : "").toEqual([]);
  });

  it("builds no gRPC client inside a data service", () => {
    expect(clientConstructionIn(ROOT)).toEqual([]);
  });

  it("has data-context protos that import no app proto", () => {
    for (const app of APP_PROTO_PACKAGES) expect(existsSync(join(ROOT, "proto/hr", app)), `proto/hr/${app}`).toBe(true);
    const { checked, violations } = protoImportsOfApps(ROOT);
    expect(checked.length).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });
});

describe("the checks, on a tree with planted violations", () => {
  // A small repository written to a temporary folder: nothing is written into the real one, so
  // a crash leaves it clean. Only the files marked "bad" break a rule.
  let fixture: string;
  const files: Record<string, string> = {
    "tsconfig.json": JSON.stringify({ compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext" } }),
    "generated/prisma/people/client.ts": "export const PrismaClient = 1;\n",
    "generated/prisma/payroll/client.ts": "export const PrismaClient = 2;\n",
    "generated/proto/hr/directory/v1/directory_service.ts": "export const DirectoryServiceDefinition = 3;\n",
    "generated/proto/hr/employee/v1/employee_service.ts": 'import "../../../../../runtime/config.js";\n', // bad
    "generated/proto/hr/employee/v1/error_reason.ts":
      'export enum ErrorReason { EMPLOYEE_NOT_FOUND = "EMPLOYEE_NOT_FOUND" }\n',
    "runtime/config.ts": "export const config = {};\n",
    "runtime/domain/domain-error.ts": "export class DomainError extends Error {}\n",
    "runtime/client/service-client.ts": "export const createServiceClient = 4;\n",
    "runtime/launch/start.ts": 'import "../../services/people/people-server.js";\n', // bad
    "runtime/cycle-a.ts": 'import "./cycle-b.js";\n', // bad
    "runtime/cycle-b.ts": 'import "./cycle-a.js";\n',
    "services/people/people-server.ts": [
      'import "../../runtime/config.js";',
      'import "../../generated/proto/hr/employee/v1/employee_service.js";',
      'import "./employee/employee-repository.js";',
      'import "../payroll/payroll-server.js";', // bad
      'import "../../apps/reviews/reviews.js";', // bad
      'import "../../runtime/client/service-client.js";', // bad (module rule and source scan)
      'import "../../generated/proto/hr/directory/v1/directory_service.js";', // bad
      'import "./no-such-file.js";', // bad
      "",
    ].join("\n"),
    "services/people/employee/employee.ts": [
      'import "../../../runtime/domain/domain-error.js";',
      'import "../../../generated/proto/hr/employee/v1/error_reason.js";',
      'import "../../../generated/proto/hr/employee/v1/employee_service.js";', // bad: only the reasons
      'import type {} from "pg";', // bad (type-only imports count)
      'import "../../../generated/prisma/people/client.js";', // bad
      "",
    ].join("\n"),
    "services/people/employee/employee-repository.ts": [
      'import "./employee.js";',
      'import "../../../generated/prisma/people/client.js";',
      'import "../../../generated/prisma/payroll/client.js";', // bad
      "",
    ].join("\n"),
    "services/payroll/payroll-server.ts": 'const channel = createChannel("people:50051");\n', // bad (source scan)
    "apps/directory/cards.ts": [
      'import "../../runtime/client/service-client.js";',
      'import "../../generated/proto/hr/employee/v1/employee_service.js";',
      'import "../../services/people/people-server.js";', // bad: the planted app → data service import
      'import "../reviews/reviews.js";', // bad
      'import "../../generated/prisma/people/client.js";', // bad
      "",
    ].join("\n"),
    "apps/reviews/reviews.ts": "export const reviews = 5;\n",
    "proto/hr/directory/v1/directory_service.proto":
      'syntax = "proto3";\nimport "hr/employee/v1/employee_service.proto";\n',
    "proto/hr/employee/v1/employee_service.proto": 'syntax = "proto3";\nimport "google/protobuf/timestamp.proto";\n',
    "proto/hr/organization/v1/department_service.proto":
      'syntax = "proto3";\nimport "hr/employee/v1/employee_service.proto";\nimport "hr/directory/v1/directory_service.proto";\n', // bad
  };

  beforeAll(() => {
    fixture = mkdtempSync(join(tmpdir(), "hr-architecture-"));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(fixture, file)), { recursive: true });
      writeFileSync(join(fixture, file), text);
    }
    // Real packages (pg, …) resolve as they do in the repository.
    symlinkSync(join(ROOT, "node_modules"), join(fixture, "node_modules"), "dir");
  });
  afterAll(() => {
    if (fixture) rmSync(fixture, { recursive: true, force: true });
  });

  it("reports every planted import violation, and nothing else", async () => {
    const result = await cruiseTree(fixture, CRUISED);
    const violations = violationsOf(result)
      .map((v) => v.replace(/→ .*node_modules\/pg\/.*$/, "→ pg"))
      .sort();
    expect(violations, await readable(result)).toEqual(
      [
        "generated-not-to-hand-written: generated/proto/hr/employee/v1/employee_service.ts → runtime/config.ts",
        "runtime-not-to-services-or-apps: runtime/launch/start.ts → services/people/people-server.ts",
        "no-circular: runtime/cycle-a.ts ⇄ runtime/cycle-b.ts",
        "data-service-not-to-other-data-service: services/people/people-server.ts → services/payroll/payroll-server.ts",
        "data-service-not-to-apps: services/people/people-server.ts → apps/reviews/reviews.ts",
        "data-service-not-to-client-factory: services/people/people-server.ts → runtime/client/service-client.ts",
        "data-service-not-to-foreign-generated-code: services/people/people-server.ts → generated/proto/hr/directory/v1/directory_service.ts",
        "not-to-unresolvable: services/people/people-server.ts → ./no-such-file.js",
        "domain-is-pure: services/people/employee/employee.ts → pg",
        "domain-is-pure: services/people/employee/employee.ts → generated/proto/hr/employee/v1/employee_service.ts",
        "domain-is-pure: services/people/employee/employee.ts → generated/prisma/people/client.ts",
        "data-service-not-to-foreign-generated-code: services/people/employee/employee-repository.ts → generated/prisma/payroll/client.ts",
        "app-not-to-data-service: apps/directory/cards.ts → services/people/people-server.ts",
        "app-not-to-other-app: apps/directory/cards.ts → apps/reviews/reviews.ts",
        "app-not-to-data-service-database: apps/directory/cards.ts → generated/prisma/people/client.ts",
      ].sort(),
    );
  }, 60_000);

  it("finds client construction in a data service's source", () => {
    expect(clientConstructionIn(fixture)).toEqual([
      "services/payroll/payroll-server.ts: createChannel(",
      "services/people/people-server.ts: runtime/client/",
    ]);
  });

  it("finds a data-context proto importing an app proto", () => {
    expect(protoImportsOfApps(fixture).violations).toEqual([
      "proto/hr/organization/v1/department_service.proto imports hr/directory/v1/directory_service.proto",
    ]);
  });
});
