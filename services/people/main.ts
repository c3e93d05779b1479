import {
  readInt,
  readRequired,
  readRetentionPolicy,
  readRuntimeConfig,
  readSqlTimeouts,
} from "../../runtime/config.js";
import { startRecordPurge } from "../../runtime/db/idempotency-retention.js";
import { migrateDatabase } from "../../runtime/db/migrate.js";
import { openSqlDatabase } from "../../runtime/db/sql.js";
import { stopOnSignals } from "../../runtime/server/grpc-server.js";
import { createLogger } from "../../runtime/server/logger.js";
import { startPeopleServer } from "./people-server.js";

// Process entry point of the people data service; configuration in the README.
const config = readRuntimeConfig();
const logger = createLogger("people", config.logLevel);
const databaseUrl = readRequired(process.env, "PEOPLE_DATABASE_URL");

await migrateDatabase("people", databaseUrl);
const db = openSqlDatabase(databaseUrl, readInt(process.env, "PEOPLE_DATABASE_POOL_SIZE", 10), readSqlTimeouts());
const server = await startPeopleServer({ db, port: readInt(process.env, "PEOPLE_PORT", 50051), config, logger });
const stopPurge = startRecordPurge(db, readRetentionPolicy(), logger);

stopOnSignals(logger, async () => {
  stopPurge();
  await server.stop();
  await db.end();
});
