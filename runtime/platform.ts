import { atLeastOne, configSlice, type Env, integer, required } from "./config.js";

/**
 * The platform's processes and the port each listens on when its
 * `<NAME>_PORT` is unset: declared once, read by each process and by the
 * launcher (`npm start`), which passes every process the others' addresses.
 */
export const DEFAULT_PORTS = {
  people: 50051,
  directory: 50052,
  identity: 50053,
  talent: 50054,
  timeoff: 50055,
  session: 50056,
  "self-service": 50057,
  inbox: 50058,
  cases: 50059,
  onboarding: 50060,
  gateway: 8080,
} as const;

export type ProcessName = keyof typeof DEFAULT_PORTS;

/**
 * The application contracts the gateway routes, each to the process that
 * serves it: `npm start` builds GATEWAY_UPSTREAMS from this list, and
 * `npm run generate` writes the committed OpenAPI document
 * (generated/openapi.json) for exactly these packages, so the reference a
 * reviewer reads is the one `npm start` serves. v2 of directory stands beside
 * v1, in the same process: GATEWAY_VERSIONS_FILE splits version-less calls
 * between them.
 */
export const GATEWAY_CONTRACTS = [
  { protoPackage: "hr.directory.v1", process: "directory" },
  { protoPackage: "hr.directory.v2", process: "directory" },
  { protoPackage: "hr.session.v1", process: "session" },
  { protoPackage: "hr.selfservice.v1", process: "self-service" },
  { protoPackage: "hr.onboarding.v1", process: "onboarding" },
] as const satisfies readonly { protoPackage: string; process: ProcessName }[];

/** The data services: each owns a database, `<NAME>_DATABASE_URL`. */
export const DATA_SERVICES = [
  "people",
  "identity",
  "talent",
  "timeoff",
  "inbox",
  "cases",
] as const satisfies readonly ProcessName[];
export type DataServiceName = (typeof DATA_SERVICES)[number];

/** "self-service" → "SELF_SERVICE": the prefix of a process's own variables. */
export function envPrefix(name: ProcessName): string {
  return name.toUpperCase().replaceAll("-", "_");
}

/** Where a process listens on this machine when nothing says otherwise. */
export function localTarget(name: ProcessName): string {
  return `127.0.0.1:${DEFAULT_PORTS[name]}`;
}

/** Each process's port, one slice per process: read by the process itself and by `npm start`. */
const portVariables = Object.fromEntries(
  Object.entries(DEFAULT_PORTS).map(([name, port]) => {
    const variable = `${envPrefix(name as ProcessName)}_PORT`;
    const meaning = name === "gateway" ? "HTTP port of the edge" : "gRPC port";
    return [name, configSlice(`${name}, npm start`, { [variable]: integer(port, meaning) })];
  }),
);

/** The port of one process. */
export function portOf(name: ProcessName, env: Env = process.env): number {
  return portVariables[name]?.read(env)[`${envPrefix(name)}_PORT`] as number;
}

/** Each data service's own database and pool, under its prefix (PEOPLE_DATABASE_URL, ...). */
const databaseVariables = Object.fromEntries(
  DATA_SERVICES.map((name) => [
    name,
    configSlice(name, {
      [`${envPrefix(name)}_DATABASE_URL`]: required(`the ${name} service's own database (set by \`npm start\`)`),
      [`${envPrefix(name)}_DATABASE_POOL_SIZE`]: atLeastOne(10, "database connections per process"),
    }),
  ]),
);

/** A data service's database URL and pool size. */
export function databaseOf(name: DataServiceName, env: Env = process.env): { url: string; poolSize: number } {
  const values = databaseVariables[name]?.read(env) ?? {};
  const prefix = envPrefix(name);
  return {
    url: values[`${prefix}_DATABASE_URL`] as string,
    poolSize: values[`${prefix}_DATABASE_POOL_SIZE`] as number,
  };
}
