import { atLeastOne, configSlice, type Env, integer, text } from "../config.js";
import { DEFAULT_PORTS, envPrefix, type ProcessName } from "../platform.js";

/** What `npm start` and `npm run dev` read for themselves (each process reads its own slices). */
export const launchVariables = configSlice("npm start, npm run dev", {
  DATABASE_URL: text(
    undefined,
    "PostgreSQL server to use instead of the embedded one (its maintenance database); also used by the tests and the bench",
  ),
  DATA_DIR: text(
    ".data",
    "folder of the launcher's own data: the embedded PostgreSQL keeps its files in `DATA_DIR/postgres`",
  ),
  DATABASE_NAME_PREFIX: text(
    "hr_",
    "prefix of the data services' database names (`hr_people`, ...), so two instances can share one `DATABASE_URL` server",
  ),
  EMBEDDED_PG_PORT: integer(
    25432,
    "port of the embedded PostgreSQL (kept below Linux's ephemeral port range, 32768–60999)",
  ),
  REPLICAS: atLeastOne(
    1,
    "processes to run of each service, each its own replica on its own port (`<NAME>_PORT`, then + `REPLICA_PORT_STEP` for each next one), restarted on its own; clients are given every replica's address and call them round-robin; the gateway's replicas need a load balancer in front",
  ),
  REPLICA_PORT_STEP: atLeastOne(100, "how far apart the ports of one service's replicas are"),
});

/** `<NAME>_REPLICAS` of each process: how many of it to run, when not `REPLICAS`. */
const replicaVariables = configSlice(
  "npm start, npm run dev",
  Object.fromEntries(
    Object.keys(DEFAULT_PORTS).map((name) => [
      `${envPrefix(name as ProcessName)}_REPLICAS`,
      integer(0, `replicas of ${name} to run; \`0\`: \`REPLICAS\``),
    ]),
  ),
);

/** How many replicas of each process to run. */
function replicaCounts(env: Env, all: number): Record<ProcessName, number> {
  const own = replicaVariables.read(env);
  return Object.fromEntries(
    Object.keys(DEFAULT_PORTS).map((name) => {
      const count = own[`${envPrefix(name as ProcessName)}_REPLICAS`] as number;
      return [name, count > 0 ? count : all];
    }),
  ) as Record<ProcessName, number>;
}

export type LaunchConfig = ReturnType<typeof readLaunchConfig>;

/** The launcher's slices; a bad value stops `npm start` before anything starts, naming the variable. */
export function readLaunchConfig(env: Env = process.env) {
  try {
    const v = launchVariables.read(env);
    return { ...v, replicas: replicaCounts(env, v.REPLICAS) };
  } catch (error) {
    process.stderr.write(`npm start cannot start: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
