// Import rules of the repository (docs: /work/shared/ARCHITECTURE.md, "The repository").
// Imports point one way: generated ← runtime ← services, and generated + runtime ← apps.
// Checked by test/architecture/architecture.test.ts through dependency-cruiser's API
// (it also plants a violation to prove these rules still fire), or by hand with
//   npx depcruise runtime services apps generated
// dependency-cruiser needs TypeScript 6.x: with TypeScript 7 it sees no .ts module and
// every rule passes vacuously (see TOOLCHAIN.md).
//
// Paths are relative to the cruise's base directory and use "/". Rules that talk about
// "the same X" use a capture group in `from` and `$1` in `to`.

/**
 * Proto packages (proto/hr/<name>/) that are application services' contracts rather than
 * data contexts. A data service must not reach them, and a data-context proto must not
 * import them (the test scans the .proto files for that). Add an app's package here when
 * the app gets a contract, and in runtime/application-contracts.ts (which the gateway reads).
 */
const APP_PROTO_PACKAGES = ["directory", "session", "selfservice", "onboarding"];
const appProtos = `^(proto|generated/proto)/hr/(${APP_PROTO_PACKAGES.join("|")})/`;

/**
 * Domain files: services/<service>/<context>/<name>.ts, except the adapters around the domain
 * (*-repository.ts, *-rpc.ts, *-proto.ts, *-events.ts: the domain's changes as the contract's
 * events) and the service's prisma/ folder, which is no context.
 */
const DOMAIN_FILE = "^services/[^/]+/[^/]+/[^/]+\\.ts$";
const NOT_DOMAIN = ["-(repository|rpc|proto|events)\\.ts$", "^services/[^/]+/prisma/"];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "data-service-not-to-other-data-service",
      comment:
        "A data service owns its database and never calls another service; importing another " +
        "data service's code would couple their releases and their schemas.",
      severity: "error",
      from: { path: "^services/([^/]+)/" },
      to: { path: "^services/", pathNot: "^services/$1/" },
    },
    {
      name: "data-service-not-to-apps",
      comment: "Dependencies point downwards: apps call data services, never the reverse.",
      severity: "error",
      from: { path: "^services/" },
      to: { path: "^apps/" },
    },
    {
      name: "data-service-not-to-client-factory",
      comment:
        "A data service never calls any other service, so it has no use for the client factory " +
        "(runtime/client/). The test also scans services/ for createChannel/createClient calls, " +
        "which a module graph cannot see.",
      severity: "error",
      from: { path: "^services/" },
      to: { path: "^runtime/client/" },
    },
    {
      name: "data-service-not-to-foreign-generated-code",
      comment:
        "A data service uses only the generated code it serves: its own Prisma client " +
        "(generated/prisma/<service>/) and data-context protos, never another service's " +
        "database client nor an application service's contract.",
      severity: "error",
      from: { path: "^services/([^/]+)/" },
      to: { path: [appProtos, "^generated/prisma/"], pathNot: "^generated/prisma/$1/" },
    },
    {
      name: "app-not-to-other-app",
      comment: "Application services never call each other: each use case composes data services.",
      severity: "error",
      from: { path: "^apps/([^/]+)/" },
      to: { path: "^apps/", pathNot: "^apps/$1/" },
    },
    {
      name: "app-not-to-data-service",
      comment:
        "An app reaches a data service only over gRPC through its generated client (generated/ + " +
        "runtime/), never by importing its code: that would bypass the contract and its reviews.",
      severity: "error",
      from: { path: "^apps/" },
      to: { path: "^services/" },
    },
    {
      name: "app-not-to-data-service-database",
      comment: "A data service's database is private to it: an app must not use its Prisma client.",
      severity: "error",
      from: { path: "^apps/([^/]+)/" },
      to: { path: "^generated/prisma/", pathNot: "^generated/prisma/$1/" },
    },
    {
      name: "runtime-not-to-services-or-apps",
      comment: "runtime/ is the thin shared layer under every service and app; it knows none of them.",
      severity: "error",
      from: { path: "^runtime/" },
      to: { path: "^(services|apps)/" },
    },
    {
      name: "generated-not-to-hand-written",
      comment:
        "generated/ is regenerated from proto/ and schema.prisma by `npm run generate`; it cannot " +
        "depend on hand-written code.",
      severity: "error",
      from: { path: "^generated/" },
      to: { path: "^(runtime|services|apps)/" },
    },
    {
      name: "domain-is-pure",
      comment:
        "Domain files (services/<service>/<context>/<name>.ts that are not *-repository.ts, " +
        "*-rpc.ts, *-proto.ts or *-events.ts) are plain TypeScript: no Prisma, no generated code, no gRPC, no " +
        "pg, no I/O helpers of runtime/, and no adapter of their own service. Unit-testable in " +
        "microseconds; the repository and the rpc handler depend on the domain, not the reverse. " +
        "One exception: a context's generated ErrorReason enum (error_reason.ts, a plain string " +
        "enum), the contract's vocabulary for the domain's refusals.",
      severity: "error",
      from: { path: DOMAIN_FILE, pathNot: NOT_DOMAIN },
      to: {
        pathNot: "^generated/proto/hr/[^/]+/v[^/]+/error_reason\\.ts$",
        path: [
          "^generated/",
          "(^|/)node_modules/(prisma|@prisma/[^/]+|nice-grpc[^/]*|@grpc/[^/]+|pg|pg-[^/]+)/",
          "^runtime/(server|client|db)/",
          "^services/.+-(repository|rpc|proto|events|database|server)\\.ts$",
        ],
      },
    },
    {
      name: "no-circular",
      comment:
        "A cycle makes modules impossible to understand, test or load in isolation. generated/ is " +
        "exempt: the Prisma client generator emits cycles between its own files, and nobody edits them.",
      severity: "error",
      from: { pathNot: "^generated/" },
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      comment:
        "Every import must resolve: an import the cruise cannot resolve is invisible to the rules " +
        "above, so they could pass vacuously.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "(^|/)node_modules/" },
    // Type-only imports count: `import type` from another service still couples the two.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
  },
};

// Not part of dependency-cruiser's configuration (it ignores non-enumerable keys): shared with
// the architecture test, which checks the .proto imports against the same list.
Object.defineProperty(module.exports, "APP_PROTO_PACKAGES", { value: APP_PROTO_PACKAGES, enumerable: false });
