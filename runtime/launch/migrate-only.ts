import path from "node:path";
import { migrateDatabase } from "../db/migrate.js";
import { pendingMigrations } from "../db/pending-migrations.js";
import { DATA_SERVICES, type DataServiceName, databaseOf } from "../platform.js";
import { repoRoot } from "../repo-root.js";
import { createLogger } from "../server/logger.js";
import { serverVariables } from "../server/server-config.js";

// `migrate [<data service> ...]`: brings the named data services' databases
// (every one when none is named) up to date and exits; the Kubernetes
// migration Job runs it before a rollout, so a migration that fails stops the
// release before any pod is replaced. Each service also migrates itself when
// it starts (runDataService), under Prisma's advisory lock, so the two never
// race. One service after the other: each run of the Prisma CLI is a wasm
// engine of a few hundred MB, and the Job's memory limit holds one.

function isDataService(name: string): name is DataServiceName {
  return (DATA_SERVICES as readonly string[]).includes(name);
}

/** Migrates `names` (every data service when empty) to their `<NAME>_DATABASE_URL`; returns the exit code. */
export async function migrateOnly(names: readonly string[], env = process.env): Promise<number> {
  const { LOG_LEVEL, LOG_FORMAT } = serverVariables.read(env);
  const logger = createLogger("migrate", LOG_LEVEL, LOG_FORMAT);
  const unknown = names.filter((name) => !isDataService(name));
  if (unknown.length > 0) {
    logger.error({ unknown, dataServices: DATA_SERVICES }, `not a data service: ${unknown.join(", ")}`);
    return 2;
  }
  for (const service of names.length > 0 ? names.filter(isDataService) : DATA_SERVICES) {
    try {
      const { url } = databaseOf(service, env);
      const migrations = path.join(repoRoot, "services", service, "prisma", "migrations");
      const pending = await pendingMigrations(url, migrations);
      await migrateDatabase(service, url);
      logger.info({ dataService: service, applied: pending }, `${service}: ${pending.length} migration(s) applied`);
    } catch (error) {
      logger.error({ dataService: service, err: error }, `${service}: migration failed`);
      return 1;
    }
  }
  return 0;
}
