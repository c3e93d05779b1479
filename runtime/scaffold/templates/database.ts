import type { ContextNames } from "../names.js";

/**
 * A scaffolded aggregate's table, twice: as the Prisma model appended to the
 * service's schema, and as the migration that creates it, written as
 * `prisma migrate dev` writes that model (same types, constraint and index
 * names, order), so that a diff of the migrations against the schema is
 * empty. The CHECK constraints that follow are the hand-written part Prisma
 * cannot express; the database refuses what the domain never writes.
 */

interface Column {
  field: string;
  type: string;
  attributes: string;
  column: string;
  sql: string;
}

const COLUMNS: Column[] = [
  { field: "id", type: "String", attributes: "@id @db.Uuid", column: "id", sql: "UUID" },
  { field: "tenantId", type: "String", attributes: '@map("tenant_id")', column: "tenant_id", sql: "TEXT" },
  { field: "title", type: "String", attributes: "", column: "title", sql: "TEXT" },
  { field: "note", type: "String", attributes: "", column: "note", sql: "TEXT" },
  { field: "status", type: "String", attributes: "", column: "status", sql: "TEXT" },
  { field: "version", type: "Int", attributes: "", column: "version", sql: "INTEGER" },
  {
    field: "createTime",
    type: "DateTime",
    attributes: '@map("create_time") @db.Timestamptz(3)',
    column: "create_time",
    sql: "TIMESTAMPTZ(3)",
  },
  {
    field: "updateTime",
    type: "DateTime",
    attributes: '@map("update_time") @db.Timestamptz(3)',
    column: "update_time",
    sql: "TIMESTAMPTZ(3)",
  },
];

/** The indexes, as column lists: by id within a tenant, and the status filter of List. */
const INDEXES = [
  ["tenant_id", "id"],
  ["tenant_id", "status", "id"],
];

/** Longest index name: PostgreSQL truncates identifiers past 63 bytes, and Prisma's names would then differ. */
export const LONGEST_INDEX_SUFFIX = "_tenant_id_status_id_idx";
export const MAX_IDENTIFIER = 63;

const fieldOf = (column: string) => COLUMNS.find((c) => c.column === column)?.field ?? column;

/** The model as `prisma format` aligns it, preceded by a blank line: appended to schema.prisma. */
export function prismaModel(n: ContextNames): string {
  const nameWidth = Math.max(...COLUMNS.map((c) => c.field.length));
  const typeWidth = Math.max(...COLUMNS.map((c) => c.type.length));
  const fields = COLUMNS.map((c) =>
    `  ${c.field.padEnd(nameWidth)} ${c.attributes ? `${c.type.padEnd(typeWidth)} ${c.attributes}` : c.type}`.trimEnd(),
  );
  const indexes = INDEXES.map((columns) => `  @@index([${columns.map(fieldOf).join(", ")}])`);
  return `
// The ${n.context} context (${n.nouns}), scaffolded by \`npm run new:context\`.
// It references other contexts only by id.
model ${n.Aggregate} {
${fields.join("\n")}

${indexes.join("\n")}
  @@map("${n.snakes}")
}
`;
}

/** migration.sql of the migration that adds the table. Comments hold no semicolon: the driver adapter splits there. */
export function migrationSql(n: ContextNames): string {
  const t = n.snakes;
  const columns = COLUMNS.map((c) => `    "${c.column}" ${c.sql} NOT NULL,`);
  const indexes = INDEXES.map(
    (cols) =>
      `-- CreateIndex\nCREATE INDEX "${t}_${cols.join("_")}_idx" ON "${t}"(${cols.map((c) => `"${c}"`).join(", ")});`,
  );
  return `-- CreateTable
CREATE TABLE "${t}" (
${columns.join("\n")}

    CONSTRAINT "${t}_pkey" PRIMARY KEY ("id")
);

${indexes.join("\n\n")}

-- Hand-written: Prisma's schema language has no CHECK constraints, so
-- schema.prisma does not declare these and \`migrate dev\` leaves them alone.
-- They mirror the rules of ${n.context}/${n.kebab}.ts (change both together):
-- ${n.Aggregate}Status, and created at version 1, every command adds 1.
ALTER TABLE "${t}"
    ADD CONSTRAINT "${t}_status_check" CHECK ("status" IN ('active', 'archived')),
    ADD CONSTRAINT "${t}_version_check" CHECK ("version" >= 1);
`;
}
