import { ConfigError } from "../config.js";
import { databaseUrl } from "../db/databases.js";
import { embeddedServerUrl } from "../db/postgres-server.js";
import { launchVariables } from "../launch/launch-config.js";
import { readEventsSettings } from "./events-config.js";
import { openEventsDatabase } from "./events-database.js";
import { runEventsCommand } from "./parked-command.js";

// `npm run events -- parked | replay <consumer> [<event-id>...]` (see
// parked-command.ts). The events database is EVENTS_DATABASE_URL, or else
// the one `npm start` uses beside it: <DATABASE_NAME_PREFIX>events on
// DATABASE_URL's server or on the embedded one.

function eventsDatabaseUrl(): string {
  const configured = readEventsSettings().databaseUrl;
  if (configured !== undefined) return configured;
  const launch = launchVariables.read();
  const server = launch.DATABASE_URL ?? embeddedServerUrl(launch.EMBEDDED_PG_PORT);
  return databaseUrl(server, `${launch.DATABASE_NAME_PREFIX}events`);
}

try {
  const db = await openEventsDatabase(eventsDatabaseUrl(), 1);
  try {
    await runEventsCommand(process.argv.slice(2), db, (line) => process.stdout.write(`${line}\n`));
  } finally {
    await db.end();
  }
} catch (error) {
  const known = error instanceof ConfigError;
  process.stderr.write(`${known ? (error as Error).message : (error as Error).stack}\n`);
  process.exitCode = known ? 2 : 1;
}
