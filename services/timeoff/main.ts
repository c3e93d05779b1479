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
import { startTimeoffServer } from "./timeoff-server.js";

// Process entry point of the timeoff data service: TIMEOFF_DATABASE_URL (required),
// TIMEOFF_PORT (default 50055), TIMEOFF_DATABASE_POOL_SIZE (default 10).
const config = readRuntimeConfig();
const logger = createLogger("timeoff", config.logLevel);
const databaseUrl = readRequired(process.env, "TIMEOFF_DATABASE_URL");

await migrateDatabase("timeoff", databaseUrl);
const db = openSqlDatabase(databaseUrl, readInt(process.env, "TIMEOFF_DATABASE_POOL_SIZE", 10), readSqlTimeouts());
const server = await startTimeoffServer({ db, port: readInt(process.env, "TIMEOFF_PORT", 50055), config, logger });
const stopPurge = startRecordPurge(db, readRetentionPolicy(), logger);

stopOnSignals(logger, async () => {
  stopPurge();
  await server.stop();
  await db.end();
});
