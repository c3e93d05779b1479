import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

// Workaround for prisma/orm#27403 (open upstream): Prisma 6.19's wasm schema
// engine cannot decode PostgreSQL catalog columns of type `"char"` (oid 18)
// and `name` (oid 19), so every migrate command fails with "Column type 'name'
// could not be deserialized". pg already returns their values as strings.
// - `name` columns: relabelling them as `text` (oid 25) is enough.
// - `"char"` columns: relabelled as `text` too, so the adapter accepts them, but
//   the engine must then see them as characters: its describer reads
//   pg_constraint.contype with `get_expect_char`, which panics ("RuntimeError:
//   unreachable") on a text value as soon as a CHECK constraint exists, breaking
//   `migrate dev` and `db pull`. No scalar oid maps to ColumnTypeEnum.Character
//   in @prisma/adapter-pg 6.19 (`bpchar` maps to Text), so the pool remembers
//   which columns were `"char"` and `connectCatalogSafe` reports them as
//   Character in the adapter's result.
// Only the migration engine needs this (see prisma-config.ts); the runtime
// client never reads the catalog and uses a plain pg.Pool.
const CHAR_OID = 18;
const NAME_OID = 19;
const TEXT_OID = 25;

type Adapter = Awaited<ReturnType<PrismaPg["connect"]>>;
type ColumnType = Awaited<ReturnType<Adapter["queryRaw"]>>["columnTypes"][number];
/** ColumnTypeEnum.Character of @prisma/driver-adapter-utils (a transitive package, not imported). */
const CHARACTER: ColumnType = 6;

type Result = { fields?: { dataTypeID: number }[]; rows?: unknown[] };

// The positions of the `"char"` columns of a result, keyed by its rows array,
// which the adapter hands on unchanged as the result set's rows.
const charColumnsOf = new WeakMap<object, number[]>();

function relabelCatalogColumns<T>(result: T): T {
  // A multi-statement simple query resolves to an array of results.
  for (const one of (Array.isArray(result) ? result : [result]) as Result[]) {
    const charColumns: number[] = [];
    (one?.fields ?? []).forEach((field, i) => {
      if (field.dataTypeID === CHAR_OID) charColumns.push(i);
      if (field.dataTypeID === CHAR_OID || field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
    });
    if (charColumns.length > 0 && one.rows) charColumnsOf.set(one.rows, charColumns);
  }
  return result;
}

const poolQuery = pg.Pool.prototype.query as (this: pg.Pool, ...args: unknown[]) => unknown;

export class CatalogSafePool extends pg.Pool {
  // pg's query() has a dozen overloads (promise and callback styles); this one
  // signature forwards all of them and relabels the result either way.
  // biome-ignore lint/suspicious/noExplicitAny: must stay assignable to every pg.Pool overload
  override query(...args: any[]): any {
    const callback = args.at(-1);
    if (typeof callback === "function") {
      args[args.length - 1] = (error: Error | undefined, result: unknown) =>
        callback(error, error ? result : relabelCatalogColumns(result));
      return poolQuery.apply(this, args);
    }
    return (poolQuery.apply(this, args) as Promise<unknown>).then(relabelCatalogColumns);
  }
}

/** A pg driver adapter for the schema engine on `url`: a CatalogSafePool, with its `"char"` columns reported as characters. */
export async function connectCatalogSafe(url: string): Promise<Adapter> {
  // disposeExternalPool: the adapter owns the pool and ends it on dispose.
  const pool = new CatalogSafePool({ connectionString: url, max: 4, allowExitOnIdle: true });
  const adapter = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
  const queryRaw = adapter.queryRaw.bind(adapter);
  adapter.queryRaw = async (query) => {
    const resultSet = await queryRaw(query);
    for (const i of charColumnsOf.get(resultSet.rows) ?? []) resultSet.columnTypes[i] = CHARACTER;
    return resultSet;
  };
  return adapter;
}
