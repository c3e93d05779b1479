import pg from "pg";

// Database lifecycle on one PostgreSQL server, for the launcher, migrations and
// test harnesses. Each call opens a short-lived client on the server URL's own
// (maintenance) database: CREATE/DROP DATABASE cannot run inside a pool's
// transaction nor while connected to the database being dropped.

const DUPLICATE_DATABASE = "42P04";
// Two concurrent CREATE DATABASE of one name: the loser fails on the catalog's unique index.
const UNIQUE_VIOLATION = "23505";

/** The URL of database `name` on the same server as `serverUrl` (same credentials and options). */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

async function withClient<T>(serverUrl: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** Creates database `name` unless it exists. Safe when several processes race to create it. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } catch (error) {
      // Another process created it between our check and our CREATE.
      const code = (error as { code?: string }).code;
      if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw error;
    }
  });
}

/**
 * Creates database `name` as a copy of `template` (fast: a file-level copy, no
 * migrations to replay). PostgreSQL refuses while anyone is connected to the
 * template: the caller closes its connections to it first.
 */
export async function createDatabaseFromTemplate(serverUrl: string, name: string, template: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    await client.query(
      `CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(template)}`,
    );
  });
}

/** Drops database `name` if it exists, disconnecting its sessions (PostgreSQL 13+). */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withClient(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  });
}
