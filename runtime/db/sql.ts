import { createHash } from "node:crypto";
import { AbortError, throwIfAborted } from "abort-controller-x";
import pg from "pg";
import { tracedStatement } from "../tracing/tracing.js";
import { sendCancelRequest } from "./cancel-request.js";

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

/** Statements plus transactions: what a repository's reads and a command pipeline run on. */
export interface Database extends Sql {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
}

type Queryable = Pick<pg.PoolClient, "query">;

class Statements implements Sql {
  constructor(
    private readonly target: Queryable,
    private readonly signal?: AbortSignal,
  ) {}

  async rows<Row>(statement: Statement, values: readonly unknown[] = []): Promise<Row[]> {
    return (await this.query(statement, values)).rows as Row[];
  }

  async count(statement: Statement, values: readonly unknown[] = []): Promise<number> {
    return (await this.query(statement, values)).rowCount ?? 0;
  }

  private query(statement: Statement, values: readonly unknown[]) {
    // A transaction's next statement does not start once its call is gone.
    if (this.signal) throwIfAborted(this.signal);
    const { target } = this;
    return tracedStatement(statement.text, target, () =>
      target.query({ name: statement.name, text: statement.text, values: [...values] }),
    );
  }
}

/** A pooled connection lent to one piece of work; `drop` set when it must not go back to the pool. */
interface Lease {
  client: pg.PoolClient;
  drop?: Error;
}

const CANCELLED = new Error("the connection's statement was cancelled");

/**
 * The database as one call sees it: when the call's signal aborts (its caller
 * cancelled, or its deadline passed), the statement running for it is
 * cancelled in PostgreSQL, its transaction rolled back, and the work ends
 * with an AbortError. A call already gone starts nothing.
 */
class CallDatabase implements Database {
  constructor(
    private readonly pool: pg.Pool,
    private readonly signal: AbortSignal,
  ) {}

  rows<Row>(statement: Statement, values?: readonly unknown[]): Promise<Row[]> {
    return this.onConnection(({ client }) => new Statements(client).rows<Row>(statement, values));
  }

  count(statement: Statement, values?: readonly unknown[]): Promise<number> {
    return this.onConnection(({ client }) => new Statements(client).count(statement, values));
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.onConnection((lease) => inTransaction(lease, work, this.signal));
  }

  private async onConnection<T>(use: (lease: Lease) => Promise<T>): Promise<T> {
    throwIfAborted(this.signal);
    const lease: Lease = { client: await this.pool.connect() };
    const cancel = () => {
      // The cancel request may land on a later statement of this connection: never reuse it.
      lease.drop = CANCELLED;
      sendCancelRequest(lease.client);
    };
    this.signal.addEventListener("abort", cancel);
    try {
      throwIfAborted(this.signal);
      return await use(lease);
    } catch (error) {
      throw lease.drop === CANCELLED ? new AbortError() : error;
    } finally {
      this.signal.removeEventListener("abort", cancel);
      lease.client.release(lease.drop);
    }
  }
}

async function inTransaction<T>(lease: Lease, work: (tx: Sql) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const { client } = lease;
  // The transaction's own statements are spans too: a slow COMMIT is a lock or a slow disk.
  const control = (text: string) => tracedStatement(text, client, () => client.query(text));
  await control("BEGIN");
  try {
    const result = await work(new Statements(client, signal));
    await control("COMMIT");
    return result;
  } catch (error) {
    await control("ROLLBACK").catch((rollbackError: Error) => {
      // A connection that failed to roll back is in an unknown state: drop it.
      lease.drop ??= rollbackError;
    });
    throw error;
  }
}

/** A data service's own database: one pool, shared by reads and transactions. */
export class SqlDatabase extends Statements implements Database {
  constructor(readonly pool: pg.Pool) {
    super(pool);
  }

  /** The database bounded by one call: its statements stop when `signal` aborts. */
  forCall(signal: AbortSignal): Database {
    return new CallDatabase(this.pool, signal);
  }

  /** A transaction no caller can cancel (background work such as retention). */
  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const lease: Lease = { client: await this.pool.connect() };
    try {
      return await inTransaction(lease, work);
    } finally {
      lease.client.release(lease.drop);
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
