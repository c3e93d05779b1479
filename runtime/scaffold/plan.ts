import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AGGREGATE_NAME, CONTEXT_NAME, type ContextNames, contextNames, pascalCase } from "./names.js";
import { protoMappingSource, repositorySource, rpcSource } from "./templates/adapters.js";
import { LONGEST_INDEX_SUFFIX, MAX_IDENTIFIER, migrationSql, prismaModel } from "./templates/database.js";
import { domainSource } from "./templates/domain.js";
import { errorReasonProto, serviceProto } from "./templates/proto.js";
import { contextTestSource, conventionsTestSource, type ServiceUnderTest } from "./templates/tests.js";
import { Refusal } from "./text-edits.js";
import { wiringEdits } from "./wiring.js";

/**
 * Everything a new context writes, computed in memory from the repository
 * as it is: the files it creates and the new text of the files it changes.
 * Any check that fails throws a Refusal before anything is written.
 */
export interface Plan {
  names: ContextNames;
  service: string;
  created: { path: string; content: string }[];
  edited: { path: string; before: string; after: string }[];
}

export interface Request {
  context: string;
  service: string;
  aggregate?: string | undefined;
  /** When the migration is made: its folder sorts after every existing one anyway. */
  now: Date;
}

/** Names the generated files import or rely on: an aggregate named so would shadow them. */
const TAKEN_TYPE_NAMES = [
  ...["Array", "Boolean", "Date", "Error", "Map", "Number", "Object", "Promise", "Record", "Set", "String"],
  ...["BusinessService", "Caller", "Definition", "ErrorReason", "FieldChecks", "Sql", "SqlDatabase", "Status"],
  ...["Stored", "Table", "VersionedCommands"],
];

export function planContext(root: string, request: Request): Plan {
  const { context, service } = request;
  const at = (path: string) => join(root, path);
  if (!CONTEXT_NAME.test(context)) {
    throw new Refusal(`"${context}" is no context name: 2 to 30 lower-case letters (a-z), such as "training"`);
  }
  const Aggregate = request.aggregate ?? pascalCase(context);
  if (!AGGREGATE_NAME.test(Aggregate)) {
    throw new Refusal(`"${Aggregate}" is no aggregate name: PascalCase letters and digits, such as "TrainingCourse"`);
  }
  if (TAKEN_TYPE_NAMES.includes(Aggregate)) {
    throw new Refusal(`"${Aggregate}" is a name the context's files already import or use: choose another --aggregate`);
  }
  const services = readdirSync(at("services")).filter((s) => existsSync(at(`services/${s}/${s}-service.ts`)));
  if (!services.includes(service)) {
    throw new Refusal(`"${service}" is no data service; one of: ${services.join(", ")}`);
  }
  const names = contextNames(context, Aggregate);
  refuseTaken(root, names, services);
  const schemaPath = `services/${service}/prisma/schema.prisma`;
  const schema = readFileSync(at(schemaPath), "utf8");
  if (new RegExp(`^model ${Aggregate}\\s*\\{`, "m").test(schema)) {
    throw new Refusal(`${schemaPath} has a model ${Aggregate} already: choose another --aggregate`);
  }
  if (schema.includes(`@@map("${names.snakes}")`)) {
    throw new Refusal(`${schemaPath} has a table ${names.snakes} already: choose another --aggregate`);
  }
  if (names.snakes.length + LONGEST_INDEX_SUFFIX.length > MAX_IDENTIFIER) {
    throw new Refusal(`the table name ${names.snakes} is too long for its index names: choose a shorter --aggregate`);
  }
  const underTest = serviceUnderTest(root, service);
  const dir = `services/${service}/${context}`;
  const proto = `proto/hr/${context}/v1`;
  const created = [
    { path: `${proto}/${names.snake}_service.proto`, content: serviceProto(names) },
    { path: `${proto}/error_reason.proto`, content: errorReasonProto(names) },
    { path: `${dir}/${names.kebab}.ts`, content: domainSource(names) },
    { path: `${dir}/${names.kebab}-proto.ts`, content: protoMappingSource(names) },
    { path: `${dir}/${names.kebab}-repository.ts`, content: repositorySource(names, service) },
    { path: `${dir}/${names.kebab}-rpc.ts`, content: rpcSource(names) },
    { path: `${migrationFolder(root, service, context, request.now)}/migration.sql`, content: migrationSql(names) },
    { path: `test/contexts/${context}.test.ts`, content: contextTestSource(names, underTest) },
    { path: `test/conventions/${context}.test.ts`, content: conventionsTestSource(names, underTest) },
  ];
  const edits = [
    { path: schemaPath, apply: (text: string) => `${text.trimEnd()}\n${prismaModel(names)}` },
    ...wiringEdits(names, service),
  ];
  const edited = edits.map(({ path, apply }) => {
    if (!existsSync(at(path))) throw new Refusal(`${path} is missing`);
    const before = readFileSync(at(path), "utf8");
    return { path, before, after: apply(before) };
  });
  return { names, service, created, edited };
}

/** A context name is taken when anything already carries it: its proto package, a folder, a test, a process. */
function refuseTaken(root: string, n: ContextNames, services: string[]): void {
  const taken = [
    `proto/hr/${n.context}`,
    ...services.map((s) => `services/${s}/${n.context}`),
    `test/contexts/${n.context}.test.ts`,
    `test/conventions/${n.context}.test.ts`,
  ].find((path) => existsSync(join(root, path)));
  if (taken !== undefined) throw new Refusal(`the context "${n.context}" exists already: ${taken}`);
  const processes = [...services, ...readdirSync(join(root, "apps"))];
  if (processes.includes(n.context)) {
    throw new Refusal(`"${n.context}" names a service or app: \`npm test -- ${n.context}\` would run its tests too`);
  }
}

/** How tests start the service: test/support/<service>-under-test.ts and its start function. */
function serviceUnderTest(root: string, service: string): ServiceUnderTest {
  const path = `test/support/${service}-under-test.ts`;
  if (!existsSync(join(root, path))) throw new Refusal(`${path} is missing: the tests cannot start ${service}`);
  const source = readFileSync(join(root, path), "utf8");
  const start = /export async function (start\w+)\(/.exec(source)?.[1];
  const type = /export type (\w+UnderTest) =/.exec(source)?.[1];
  if (start === undefined || type === undefined) throw new Refusal(`${path}: no start function or UnderTest type`);
  return { service, start, type };
}

/** services/<service>/prisma/migrations/<UTC timestamp>_<context>, after every existing migration. */
function migrationFolder(root: string, service: string, context: string, now: Date): string {
  const dir = `services/${service}/prisma/migrations`;
  const stamps = readdirSync(join(root, dir))
    .map((name) => /^(\d{14})_/.exec(name)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
  const latest = stamps.at(-1);
  const after =
    latest === undefined ? 0 : Date.parse(latest.replace(/^(....)(..)(..)(..)(..)(..)$/, "$1-$2-$3T$4:$5:$6Z"));
  const when = new Date(Math.max(now.getTime(), after + 1000));
  const stamp = when.toISOString().replace(/\D/g, "").slice(0, 14);
  return `${dir}/${stamp}_${context}`;
}
