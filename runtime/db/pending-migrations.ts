import { readdir } from "node:fs/promises";
import pg from "pg";

// A fast "is this database up to date?" check, so a service start skips the
// Prisma CLI (a child process running the wasm schema engine: seconds of CPU)
// when there is nothing to apply, which is nearly every start. Prisma remains
// the tool that applies migrations; this only reads its bookkeeping table with
// Prisma's own rule: a migration is applied when its row has finished and was
// not rolled back. Anything unusual counts as pending, so the CLI runs and
// reports it (a missing table, a failed migration awaiting `migrate resolve`).

const UNDEFINED_TABLE = "42P01";

/** The migration folders of `migrationsDir` (Prisma's order: by name, which starts with a timestamp). */
export async function migrationNames(migrationsDir: string): Promise<string[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * The migrations of `migrationsDir` that `prisma migrate deploy` would have to
 * look at on `databaseUrl`: not applied yet, or failed. Empty means up to date.
 */
export async function pendingMigrations(databaseUrl: string, migrationsDir: string): Promise<string[]> {
  const names = await migrationNames(migrationsDir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string; applied: boolean }>(
      `SELECT migration_name, finished_at IS NOT NULL AND rolled_back_at IS NULL AS applied
         FROM _prisma_migrations
        WHERE rolled_back_at IS NULL`,
    );
    const applied = new Set(rows.filter((row) => row.applied).map((row) => row.migration_name));
    const failed = rows.filter((row) => !row.applied).map((row) => row.migration_name);
    return [...new Set([...names.filter((name) => !applied.has(name)), ...failed])];
  } catch (error) {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return names; // Never migrated.
    throw error;
  } finally {
    await client.end();
  }
}
