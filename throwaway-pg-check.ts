import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { createDatabaseFromTemplate, databaseUrl, dropDatabase, ensureDatabase } from "./runtime/db/databases.js";
import { migrateDatabase } from "./runtime/db/migrate.js";
import { startEmbeddedPostgres } from "./runtime/db/postgres-server.js";

const base = await mkdtemp(path.join(tmpdir(), "pgcheck-"));
await chmod(base, 0o755); // the server runs as user postgres
const t0 = performance.now();
const lap = (what: string) => console.log(what, Math.round(performance.now() - t0), "ms");
const server = await startEmbeddedPostgres({ dataDir: path.join(base, "data"), port: 54391 });
lap("started");
try {
  await ensureDatabase(server.serverUrl, "hr_template");
  await ensureDatabase(server.serverUrl, "hr_template"); // idempotent
  lap("created");
  await migrateDatabase("people", databaseUrl(server.serverUrl, "hr_template"));
  lap("migrated");
  await createDatabaseFromTemplate(server.serverUrl, "hr_copy", "hr_template");
  lap("cloned");
  const client = new pg.Client({ connectionString: databaseUrl(server.serverUrl, "hr_copy") });
  await client.connect();
  const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  const enc = await client.query("SELECT pg_encoding_to_char(encoding) AS enc, datcollate FROM pg_database WHERE datname = current_database()");
  console.log("tables in hr_copy:", tables.rows.map((r) => r.tablename), enc.rows[0]);
  await client.end();
  await dropDatabase(server.serverUrl, "hr_copy");
  await dropDatabase(server.serverUrl, "hr_template");
  await dropDatabase(server.serverUrl, "hr_template"); // IF EXISTS
  const left = new pg.Client({ connectionString: server.serverUrl });
  await left.connect();
  console.log("databases left:", (await left.query("SELECT datname FROM pg_database ORDER BY 1")).rows.map((r) => r.datname));
  await left.end();
} finally {
  await server.stop();
  lap("stopped");
  await rm(base, { recursive: true, force: true });
}
