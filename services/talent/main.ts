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
import { startTalentServer } from "./talent-server.js";

// Process entry point of the talent data service; configuration in the README.
const config = readRuntimeConfig();
const logger = createLogger("talent", config.logLevel);
const databaseUrl = readRequired(process.env, "TALENT_DATABASE_URL");

await migrateDatabase("talent", databaseUrl);
const db = openSqlDatabase(databaseUrl, readInt(process.env, "TALENT_DATABASE_POOL_SIZE", 10), readSqlTimeouts());
const server = await startTalentServer({ db, port: readInt(process.env, "TALENT_PORT", 50054), config, logger });
const stopPurge = startRecordPurge(db, readRetentionPolicy(), logger);

stopOnSignals(logger, async () => {
  stopPurge();
  await server.stop();
  await db.end();
});
