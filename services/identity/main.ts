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
import { readSignInThrottle } from "./identity-config.js";
import { DEFAULT_SESSION_LIFETIME_MS, startIdentityServer } from "./identity-server.js";

// Process entry point of the identity data service; configuration in the README.
const config = readRuntimeConfig();
const logger = createLogger("identity", config.logLevel);
const databaseUrl = readRequired(process.env, "IDENTITY_DATABASE_URL");
const signInThrottle = readSignInThrottle();

await migrateDatabase("identity", databaseUrl);
const db = openSqlDatabase(databaseUrl, readInt(process.env, "IDENTITY_DATABASE_POOL_SIZE", 10), readSqlTimeouts());
const server = await startIdentityServer({
  db,
  port: readInt(process.env, "IDENTITY_PORT", 50053),
  config,
  logger,
  sessionLifetimeMs:
    readInt(process.env, "IDENTITY_SESSION_LIFETIME_HOURS", DEFAULT_SESSION_LIFETIME_MS / 3_600_000) * 3_600_000,
  signInThrottle,
});
const stopPurge = startRecordPurge(db, readRetentionPolicy(), logger);

stopOnSignals(logger, async () => {
  stopPurge();
  await server.stop();
  await db.end();
});
