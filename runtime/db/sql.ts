import { createHash } from "node:crypto";
import pg from "pg";

/**
 * The typed SQL layer every repository uses at run time. Prisma owns the
 * schemas, migrations and row types; queries go straight to `pg` because
 * Prisma 6.19 runs its wasm query compiler on every query (no plan cache):
 * about 300 µs of CPU per row read against 70 µs through `pg`.
 *
 * Every statement is a named prepared statement: PostgreSQL parses and plans
 * it once per connection, and `pg` sends only the name and the values after.
 */

/** A SQL text with its prepared-statement name (derived from the text, so equal texts share one). */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

export function sql(text: string): Statement {
  const normalized = text.replace(/\s+/g, " ").trim();
  return { name: `s_${createHash("sha1").update(normalized).digest("hex").slice(0, 20)}`, text: normalized };
}

/** Runs statements: the pool (each statement on its own) or one transaction. */
export interface Sql {
  /** The rows of `statement`, typed as the caller declares them. */
  rows<Row>(statement: Statement, values?: readonly unknown[]): Promise<Row[]>;
  /** How many rows `statement` inserted, updated or deleted. */
  count(statement: Statement, values?: readonly unknown[]): Promise<number>;
}

type Queryable = Pick<pg.PoolClient, "query">;

class Statements implements Sql {
  constructor(private readonly target: Queryable) {}

  async rows<Row>(statement: Statement, values: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.target.query({ name: statement.name, text: statement.text, values: [...values] });
    return result.rows as Row[];
  }

  async count(statement: Statement, values: readonly unknown[] = []): Promise<number> {
    const result = await this.target.query({ name: statement.name, text: statement.text, values: [...values] });
    return result.rowCount ?? 0;
  }
}

/** A data service's own database: one pool, shared by reads and transactions. */
export class SqlDatabase extends Statements {
  constructor(readonly pool: pg.Pool) {
    super(pool);
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      const result = await work(new Statements(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection that failed to roll back is in an unknown state: drop it.
      client.release(broken);
    }
  }

  /** Resolves when the database answers; rejects when it cannot be reached in time. */
  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

/** How long a connection may take to open, and a statement to run (0: no limit). */
export interface SqlTimeouts {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

export const DEFAULT_SQL_TIMEOUTS: SqlTimeouts = { connectTimeoutMs: 3_000, statementTimeoutMs: 10_000 };

export function openSqlDatabase(url: string, poolSize: number, timeouts = DEFAULT_SQL_TIMEOUTS): SqlDatabase {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Without it a call waits for a connection as long as PostgreSQL is unreachable.
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    // PostgreSQL cancels a statement past this, so no query outlives every deadline.
    statement_timeout: timeouts.statementTimeoutMs,
  });
  // An idle connection that PostgreSQL ends (a restart, an administrator) is
  // reported here; pg drops it from the pool, and without a listener Node
  // would crash the process on the unhandled 'error' event.
  pool.on("error", () => {});
  return new SqlDatabase(pool);
}

/** True for PostgreSQL's unique-violation error, optionally on one named constraint or index. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const { code, constraint: violated } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === "23505" && (constraint === undefined || violated === constraint);
}
