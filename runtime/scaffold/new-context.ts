import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../repo-root.js";
import { type Plan, planContext } from "./plan.js";
import { Refusal } from "./text-edits.js";

// `npm run new:context -- <name> [--service <data service>] [--aggregate <Name>]`:
// a new bounded context in an existing data service, shaped like the small
// contexts (requisition), whose tests pass once `npm run generate` has run.
// A plain script with template strings rather than plop: no dependency, the
// templates are type-checked with the code they mirror, and every edit is
// planned in memory first, so a refusal writes nothing (plop runs its
// actions one by one and would leave the first ones written).

const USAGE =
  "usage: npm run new:context -- <name> [--service <data service>] [--aggregate <PascalCaseName>] [--dry-run]";

function main(): void {
  const { values, positionals } = parseOptions();
  if (positionals.length !== 1) throw new Refusal(USAGE);
  const plan = planContext(repoRoot, {
    context: positionals[0] ?? "",
    service: values.service,
    aggregate: values.aggregate,
    now: new Date(),
  });
  if (values["dry-run"]) {
    report(plan, "would write");
    return;
  }
  write(plan);
  format(plan);
  report(plan, "wrote");
}

function parseOptions() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        service: { type: "string", default: "talent" },
        aggregate: { type: "string" },
        "dry-run": { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new Refusal(`${error instanceof Error ? error.message : error}\n${USAGE}`);
  }
}

/** Writes every file of the plan; on any failure puts back what it had written, then fails. */
function write(plan: Plan): void {
  const made: string[] = [];
  const folders: string[] = [];
  const changed: { path: string; before: string }[] = [];
  try {
    for (const { path, content } of plan.created) {
      const full = join(repoRoot, path);
      if (existsSync(full)) throw new Refusal(`${path} appeared while writing`);
      const folder = mkdirSync(dirname(full), { recursive: true });
      if (folder !== undefined) folders.push(folder);
      writeFileSync(full, content, { flag: "wx" });
      made.push(full);
    }
    for (const { path, before, after } of plan.edited) {
      writeFileSync(join(repoRoot, path), after);
      changed.push({ path, before });
    }
  } catch (error) {
    for (const { path, before } of changed) writeFileSync(join(repoRoot, path), before);
    for (const full of made) rmSync(full);
    for (const folder of folders.reverse()) rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

/** biome formats the TypeScript and sorts the imports the edits added; buf formats the new contract. */
function format(plan: Plan): void {
  const bin = (tool: string) => join(repoRoot, "node_modules/.bin", tool);
  const paths = [...plan.created, ...plan.edited].map((f) => f.path);
  const code = paths.filter((path) => path.endsWith(".ts"));
  execFileSync(bin("biome"), ["check", "--write", "--no-errors-on-unmatched", ...code], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "inherit"],
  });
  execFileSync(bin("buf"), ["format", "-w", "--path", `proto/hr/${plan.names.context}`], {
    cwd: repoRoot,
    stdio: "inherit",
  });
}

function report(plan: Plan, verb: string): void {
  const { names: n, service } = plan;
  const lines = [
    `${n.serviceFullName} (aggregate ${n.Aggregate}) in the ${service} data service: ${verb}`,
    ...plan.created.map((f) => `  new      ${f.path}`),
    ...plan.edited.map((f) => `  changed  ${f.path}`),
    "",
    "Next:",
    "  npm run generate                 # the generated client, server types and Prisma client",
    `${`  npm test -- ${n.context}`.padEnd(35)}# its context and convention tests`,
    "  npx vitest run test/contracts test/runtime/authorization-matrix.test.ts test/architecture",
    `Then make it yours: the fields (${n.noun} has a title and a note), the rules in`,
    `proto/hr/${n.context}/v1 (who may call what), the domain in services/${service}/${n.context}/,`,
    `and the comments of services/${service}/${service}-service.ts and its schema.prisma.`,
  ];
  console.log(lines.join("\n"));
}

try {
  main();
} catch (error) {
  if (!(error instanceof Refusal)) throw error;
  console.error(`new:context: ${error.message}\nNothing was written.`);
  process.exitCode = 2;
}
