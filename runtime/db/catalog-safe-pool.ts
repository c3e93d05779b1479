import pg from "pg";

// Workaround for prisma/orm#27403 (open upstream): Prisma 6.19's wasm schema
// engine cannot decode PostgreSQL catalog columns of type `"char"` (oid 18)
// and `name` (oid 19), so every migrate command fails with "Column type 'name'
// could not be deserialized". pg already returns their values as strings, so
// relabelling the columns as `text` (oid 25) is enough. Only the migration
// engine needs this pool (see prisma-config.ts); the runtime client never reads
// the catalog and uses a plain pg.Pool.
const CHAR_OID = 18;
const NAME_OID = 19;
const TEXT_OID = 25;

type Result = { fields?: { dataTypeID: number }[] };

function relabelCatalogColumns<T>(result: T): T {
  // A multi-statement simple query resolves to an array of results.
  for (const one of (Array.isArray(result) ? result : [result]) as Result[]) {
    for (const field of one?.fields ?? []) {
      if (field.dataTypeID === CHAR_OID || field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
    }
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
