import { type Statement, sql } from "./sql.js";

/**
 * How an aggregate's table maps to the row type Prisma generated for it. The
 * column map must name every field of the Prisma model (the compiler checks
 * it), so a schema change that adds or renames a field fails the build until
 * the map follows. Dates and timestamps are read as ISO strings, as the
 * domain keeps them, so rows need no mapping in JavaScript.
 */

type Conversion = "date" | "timestamp";
interface Column {
  readonly column: string;
  readonly as: Conversion;
}

/** A `@db.Date` column, read as "YYYY-MM-DD". */
export const date = (column: string): Column => ({ column, as: "date" });
/** A timestamptz column, read as an ISO string in UTC with milliseconds, like Date.toISOString(). */
export const timestamp = (column: string): Column => ({ column, as: "timestamp" });

export type ColumnMap<Model> = { readonly [K in keyof Model]-?: string | Column };

/** A Prisma model's row as read and written through a Table: DateTime fields become ISO strings. */
export type Stored<Model> = {
  [K in keyof Model]: Model[K] extends Date ? string : Model[K] extends Date | null ? string | null : Model[K];
};

const ISO_UTC = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

export class Table<Model> {
  private readonly fields: (keyof Model & string)[];

  constructor(
    readonly name: string,
    private readonly map: ColumnMap<Model>,
  ) {
    this.fields = Object.keys(map) as (keyof Model & string)[];
  }

  /** The column of `field`. */
  column(field: keyof Model & string): string {
    const entry = this.map[field];
    return typeof entry === "string" ? entry : entry.column;
  }

  /** The select list that reads a row of this table as `Stored<Model>`; `alias` qualifies the columns. */
  selectList(alias?: string): string {
    const prefix = alias ? `${alias}.` : "";
    return this.fields
      .map((field) => {
        const entry = this.map[field];
        if (typeof entry === "string") return `${prefix}${entry} AS "${field}"`;
        const read =
          entry.as === "date"
            ? `${prefix}${entry.column}::text`
            : `to_char(${prefix}${entry.column} AT TIME ZONE 'UTC', ${ISO_UTC})`;
        return `${read} AS "${field}"`;
      })
      .join(", ");
  }

  /** INSERT of a whole row; its values come from `valuesOf`. */
  insertStatement(): Statement {
    const columns = this.fields.map((field) => this.column(field)).join(", ");
    const params = this.fields.map((_, i) => `$${i + 1}`).join(", ");
    return sql(`INSERT INTO ${this.name} (${columns}) VALUES (${params})`);
  }

  /**
   * UPDATE of every column of the row with the tenant and id in `valuesOf`,
   * only while the stored version is still the one given last: the
   * optimistic check that refuses a lost update.
   */
  versionedUpdateStatement(): Statement {
    const sets = this.fields.map((field, i) => `${this.column(field)} = $${i + 1}`).join(", ");
    const n = this.fields.length;
    const tenant = this.fields.indexOf("tenantId" as keyof Model & string) + 1;
    const id = this.fields.indexOf("id" as keyof Model & string) + 1;
    if (tenant === 0 || id === 0) throw new Error(`${this.name}: a versioned update needs tenantId and id fields`);
    return sql(`UPDATE ${this.name} SET ${sets} WHERE tenant_id = $${tenant} AND id = $${id} AND version = $${n + 1}`);
  }

  /**
   * Rows keyed by column, as JSON, for `json_populate_record(null::<table>, $n::json)`
   * (or `json_populate_recordset` with an array): how one statement writes
   * several rows, or rows of several tables.
   */
  json(rows: Stored<Model> | readonly Stored<Model>[]): string {
    const keyed = (row: Stored<Model>) =>
      Object.fromEntries(this.fields.map((field) => [this.column(field), row[field]]));
    return JSON.stringify(Array.isArray(rows) ? rows.map(keyed) : keyed(rows as Stored<Model>));
  }

  /** The values of `row` in column order, for `insertStatement` and `versionedUpdateStatement`. */
  valuesOf(row: Stored<Model>): unknown[] {
    return this.fields.map((field) => row[field]);
  }
}
