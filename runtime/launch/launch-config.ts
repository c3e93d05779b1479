import { configSlice, integer, text } from "../config.js";

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
  PEOPLE_PROCESSES: integer(
    1,
    "people processes to run (the others on `PEOPLE_PORT` + 100, + 200, ...), called round-robin by the apps; on 2 cores two processes measured slower than one",
  ),
});

/** The launcher's slice; a bad value stops `npm start` before anything starts, naming the variable. */
export function readLaunchConfig(env = process.env) {
  try {
    return launchVariables.read(env);
  } catch (error) {
    process.stderr.write(`npm start cannot start: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
