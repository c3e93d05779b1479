import type { ContextNames } from "../names.js";

/**
 * The adapters around a scaffolded aggregate, named and shaped like the
 * requisition context's: its protobuf mapping, its repository (a
 * VersionedStore over the shared Table helper) and its rpc handler (commands
 * through VersionedCommands).
 */

const serviceModule = (n: ContextNames) => `../../../generated/proto/hr/${n.context}/v1/${n.snake}_service.js`;

/** services/<service>/<context>/<aggregate>-proto.ts */
export function protoMappingSource(n: ContextNames): string {
  const A = n.Aggregate;
  return `import { type ${A} as ${A}Message, ${A}Status } from "${serviceModule(n)}";
import { etagOf } from "../../../runtime/domain/etag.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import type { ${A}, ${A}Status as Status } from "./${n.kebab}.js";

const STATUS_TO_PROTO: Record<Status, ${A}Status> = {
  active: ${A}Status.${n.SCREAMING}_STATUS_ACTIVE,
  archived: ${A}Status.${n.SCREAMING}_STATUS_ARCHIVED,
};

/** The aggregate as clients see it. */
export function to${A}Message(found: ${A}): ${A}Message {
  return {
    id: found.id,
    title: found.title,
    note: found.note,
    status: STATUS_TO_PROTO[found.status],
    etag: etagOf(found.version),
    createTime: new Date(found.createTime),
    updateTime: new Date(found.updateTime),
  };
}

/** A status filter: UNSPECIFIED means any; a value this server does not know is INVALID_ARGUMENT. */
export function statusFilter(field: string, status: ${A}Status): Status | undefined {
  if (status === ${A}Status.${n.SCREAMING}_STATUS_UNSPECIFIED) return undefined;
  const match = (Object.keys(STATUS_TO_PROTO) as Status[]).find((s) => STATUS_TO_PROTO[s] === status);
  const checks = new FieldChecks();
  checks.check(field, match !== undefined, "is not a known ${n.noun} status");
  checks.throwIfAny();
  return match;
}
`;
}

/** services/<service>/<context>/<aggregate>-repository.ts */
export function repositorySource(n: ContextNames, service: string): string {
  const A = n.Aggregate;
  const t = n.snakes;
  return `import type { ${A} as ${A}Model } from "../../../generated/prisma/${service}/client.js";
import { type Sql, sql } from "../../../runtime/db/sql.js";
import { type Stored, Table, timestamp } from "../../../runtime/db/table.js";
import { etagMismatch } from "../../../runtime/domain/domain-error.js";
import type { ${A}, ${A}Status } from "./${n.kebab}.js";

/** List filters; each one set narrows the list (AND). */
export interface ${A}Filter {
  status: ${A}Status | undefined;
}

const table = new Table<${A}Model>("${t}", {
  id: "id",
  tenantId: "tenant_id",
  title: "title",
  note: "note",
  status: "status",
  version: "version",
  createTime: timestamp("create_time"),
  updateTime: timestamp("update_time"),
});

const GET = sql(\`SELECT \${table.selectList()} FROM ${t} WHERE tenant_id = $1 AND id = $2::uuid\`);
// A filter is either null (any) or a value; ids are time-ordered UUIDv7, so id order is creation order.
const LIST = sql(\`
  SELECT \${table.selectList()} FROM ${t}
  WHERE tenant_id = $1
    AND ($2::text IS NULL OR status = $2::text)
    AND ($3::uuid IS NULL OR id > $3::uuid)
  ORDER BY id LIMIT $4\`);
const INSERT = table.insertStatement();
const UPDATE = table.versionedUpdateStatement();

/** Loads and saves ${A} aggregates; every query is scoped by tenant. */
export class ${A}Repository {
  constructor(private readonly sql: Sql) {}

  async get(tenantId: string, id: string): Promise<${A} | undefined> {
    const [row] = await this.sql.rows<Stored<${A}Model>>(GET, [tenantId, id]);
    return row && toDomain(row);
  }

  /** One page in creation order, after \`afterId\` when given. */
  async list(tenantId: string, filter: ${A}Filter, afterId: string | undefined, limit: number) {
    const values = [tenantId, filter.status ?? null, afterId ?? null, limit];
    return (await this.sql.rows<Stored<${A}Model>>(LIST, values)).map(toDomain);
  }

  async insert(created: ${A}): Promise<void> {
    await this.sql.count(INSERT, table.valuesOf(created));
  }

  /** Saves a changed ${n.noun} if it is still at the version of \`before\`; ABORTED otherwise. */
  async update(changed: ${A}, before: { version: number }): Promise<void> {
    const count = await this.sql.count(UPDATE, [...table.valuesOf(changed), before.version]);
    if (count === 0) throw etagMismatch(\`${t}/\${changed.id}\`);
  }
}

const toDomain = (row: Stored<${A}Model>): ${A} => ({ ...row, status: row.status as ${A}Status });
`;
}

/** services/<service>/<context>/<aggregate>-rpc.ts */
export function rpcSource(n: ContextNames): string {
  const A = n.Aggregate;
  const As = n.Aggregates;
  return `import { v7 as uuidv7 } from "uuid";
import { ErrorReason } from "../../../generated/proto/hr/${n.context}/v1/error_reason.js";
import { type ${A}ServiceDefinition as Definition, ${A}ServiceDefinition } from "${serviceModule(n)}";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { VersionedCommands } from "../../../runtime/db/versioned-commands.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { requireId } from "../../../runtime/server/request-checks.js";
import { updateMaskPaths } from "../../../runtime/server/update-mask.js";
import { type ${A}, archive${A}, create${A}, update${A} } from "./${n.kebab}.js";
import { statusFilter, to${A}Message } from "./${n.kebab}-proto.js";
import { type ${A}Filter, ${A}Repository } from "./${n.kebab}-repository.js";

const methods = ${A}ServiceDefinition.methods;

/** ${n.serviceFullName}: validates, runs the domain through the repository, maps to protobuf. */
export function ${n.aggregate}Rpc(db: SqlDatabase): BusinessService<typeof Definition> {
  const reads = (call: { signal: AbortSignal }) => new ${A}Repository(db.forCall(call.signal));
  const commands = new VersionedCommands(db, (tx) => new ${A}Repository(tx), {
    store: (repo) => repo,
    subject: (id) => \`${n.snakes}/\${id}\`,
    missing: (id) => notFound(ErrorReason.${n.SCREAMING}_NOT_FOUND, id),
    message: (changed: ${A}): { ${n.aggregate}?: ReturnType<typeof to${A}Message> } => ({
      ${n.aggregate}: to${A}Message(changed),
    }),
  });
  // Load → check etag → domain command → save, once per request id. No row
  // lock: a concurrent save in between makes the versioned update refuse.
  const { change } = commands;

  return {
    async get${A}(request, call) {
      const found = await commands.load(reads(call), call.caller.tenantId, requireId("id", request.id));
      return { ${n.aggregate}: to${A}Message(found) };
    },

    async list${As}(request, call) {
      const pageSize = pageSizeOf(request.pageSize);
      const filter: ${A}Filter = { status: statusFilter("status", request.status) };
      const afterId = decodePageToken(methods.list${As}, request.pageToken, call.caller.tenantId, filter);
      const rows = await reads(call).list(call.caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(methods.list${As}, rows, pageSize, call.caller.tenantId, filter);
      return { ${n.aggregates}: items.map(to${A}Message), nextPageToken };
    },

    async create${A}(request, call) {
      return commands.run(call, methods.create${A}, request, async (repo) => {
        const input = { id: uuidv7(), tenantId: call.caller.tenantId, title: request.title, note: request.note };
        const created = create${A}(input, nowIso());
        await repo.insert(created);
        return { ${n.aggregate}: to${A}Message(created) };
      });
    },

    async update${A}(request, call) {
      const given = request.${n.aggregate};
      const id = requireId("${n.snake}.id", given?.id ?? "");
      const paths = updateMaskPaths(request.updateMask, ["title", "note"] as const);
      return change(call, methods.update${A}, request, id, given?.etag ?? "", (current) =>
        update${A}(
          current,
          {
            ...(paths.has("title") && { title: given?.title ?? "" }),
            ...(paths.has("note") && { note: given?.note ?? "" }),
          },
          nowIso(),
        ),
      );
    },

    async archive${A}(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.archive${A}, request, id, request.etag, (current) => archive${A}(current, nowIso()));
    },
  };
}
`;
}
