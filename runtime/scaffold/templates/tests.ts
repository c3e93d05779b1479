import type { ContextNames } from "../names.js";

/** How the tests of a context start its data service: test/support/<service>-under-test.ts. */
export interface ServiceUnderTest {
  /** The data service ("talent"). */
  service: string;
  /** Its start function ("startTalent") and the type it answers ("TalentUnderTest"). */
  start: string;
  type: string;
}

/** test/contexts/<context>.test.ts: a few real behaviours through the generated client, against a real server and database. */
export function contextTestSource(n: ContextNames, s: ServiceUnderTest): string {
  const A = n.Aggregate;
  const SA = n.SCREAMING;
  return `import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Create${A}Request,
  type ${A},
  ${A}Status,
} from "../../generated/proto/hr/${n.context}/v1/${n.snake}_service.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { ${s.start}, type ${s.type} } from "../support/${s.service}-under-test.js";

// The ${n.context} context (${n.serviceFullName}) through its generated
// client against a real ${s.service} server and database.
// Tenancy, request ids, etags and paging: test/conventions/${n.context}.test.ts.
// Run alone: npm test -- ${n.context}

let server: ${s.type};
beforeAll(async () => {
  server = await ${s.start}();
});
afterAll(() => server?.stop());

const { ${SA}_STATUS_ACTIVE: ACTIVE, ${SA}_STATUS_ARCHIVED: ARCHIVED } = ${A}Status;

const createRequest = (overrides: Partial<Create${A}Request> = {}): Create${A}Request => ({
  requestId: randomUUID(),
  title: "A title",
  note: "A note.",
  ...overrides,
});

function present(found: ${A} | undefined): ${A} {
  if (found === undefined) throw new Error("the response carries no ${n.noun}");
  return found;
}

async function create(caller: Caller, overrides: Partial<Create${A}Request> = {}): Promise<${A}> {
  return present((await server.${n.aggregates}.create${A}(createRequest(overrides), caller)).${n.aggregate});
}

async function read(caller: Caller, id: string): Promise<${A}> {
  return present((await server.${n.aggregates}.get${A}({ id }, caller)).${n.aggregate});
}

async function archive(caller: Caller, target: ${A}): Promise<${A}> {
  const request = { requestId: randomUUID(), id: target.id, etag: target.etag };
  return present((await server.${n.aggregates}.archive${A}(request, caller)).${n.aggregate});
}

async function listIds(caller: Caller, status = ${A}Status.${SA}_STATUS_UNSPECIFIED): Promise<string[]> {
  const page = await server.${n.aggregates}.list${n.Aggregates}({ pageSize: 200, status }, caller);
  expect(page.nextPageToken).toBe("");
  return page.${n.aggregates}.map((found) => found.id);
}

const rowsOf = (tenantId: string) => server.db.${n.aggregate}.count({ where: { tenantId } });

describe("creating and reading ${n.nouns}", () => {
  it("creates an active ${n.noun}, normalized, and reads it back", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const created = await create(acme, { title: "  Spaced out ", note: "Line one\\r\\nLine two\\n\\tindented  " });
    expect(created).toMatchObject({ title: "Spaced out", note: "Line one\\nLine two\\n\\tindented", status: ACTIVE });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.etag).not.toBe("");
    expect(created.updateTime).toEqual(created.createTime);
    expect(await read(acme, created.id)).toEqual(created);
    expect(await read(acme, created.id.toUpperCase())).toEqual(created);
    expect(await rowsOf(tenant)).toBe(1);
  });

  it("answers NOT_FOUND with ${SA}_NOT_FOUND for an id no ${n.noun} of the tenant has", async () => {
    const error = await expectError(
      server.${n.aggregates}.get${A}({ id: randomUUID() }, await as(newTenant())),
      Status.NOT_FOUND,
    );
    expect(error.reason).toBe("${SA}_NOT_FOUND");
  });

  it("answers a retried create with the first answer and writes one ${n.noun}", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const request = createRequest();
    const first = await server.${n.aggregates}.create${A}(request, acme);
    expect(await server.${n.aggregates}.create${A}(request, acme)).toEqual(first);
    expect(await rowsOf(tenant)).toBe(1);
  });

  it("names every bad field of a create at once and writes nothing", async () => {
    const tenant = newTenant();
    const error = await expectError(
      server.${n.aggregates}.create${A}(createRequest({ title: "   ", note: "a\\u0000b" }), await as(tenant)),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields.sort()).toEqual(["note", "title"]);
    expect(await rowsOf(tenant)).toBe(0);
  });
});

describe("tenants", () => {
  it("keeps another tenant's ${n.noun} out of reach: NOT_FOUND, not listed, not changed", async () => {
    const acme = await as(newTenant());
    const globex = await as(newTenant());
    const theirs = await create(globex);
    const error = await expectError(server.${n.aggregates}.get${A}({ id: theirs.id }, acme), Status.NOT_FOUND);
    expect(error.reason).toBe("${SA}_NOT_FOUND");
    expect(await listIds(acme)).toEqual([]);
    await expectError(archive(acme, theirs), Status.NOT_FOUND);
    expect(await read(globex, theirs.id)).toEqual(theirs);
  });
});

describe("changing a ${n.noun}", () => {
  it("changes only the fields named in the mask", async () => {
    const acme = await as(newTenant());
    const created = await create(acme);
    const { ${n.aggregate}: updated } = await server.${n.aggregates}.update${A}(
      { requestId: randomUUID(), ${n.aggregate}: { ...created, title: "Renamed", note: "Ignored" }, updateMask: ["title"] },
      acme,
    );
    expect(updated).toEqual({ ...created, title: "Renamed", etag: updated?.etag, updateTime: updated?.updateTime });
    expect(updated?.etag).not.toBe(created.etag);
    expect(await read(acme, created.id)).toEqual(updated);
  });

  it("archives, then keeps the ${n.noun} read-only with ${SA}_ARCHIVED", async () => {
    const acme = await as(newTenant());
    const archived = await archive(acme, await create(acme));
    expect(archived.status).toBe(ARCHIVED);
    const again = await expectError(archive(acme, archived), Status.FAILED_PRECONDITION);
    expect(again.reason).toBe("${SA}_ARCHIVED");
    const update = server.${n.aggregates}.update${A}(
      { requestId: randomUUID(), ${n.aggregate}: { ...archived, title: "Changed?" }, updateMask: ["title"] },
      acme,
    );
    expect((await expectError(update, Status.FAILED_PRECONDITION)).reason).toBe("${SA}_ARCHIVED");
    expect(await read(acme, archived.id)).toEqual(archived);
  });

  it("lists by status, in creation order", async () => {
    const acme = await as(newTenant());
    const first = await create(acme);
    const second = await archive(acme, await create(acme));
    const third = await create(acme);
    expect(await listIds(acme)).toEqual([first.id, second.id, third.id]);
    expect(await listIds(acme, ACTIVE)).toEqual([first.id, third.id]);
    expect(await listIds(acme, ARCHIVED)).toEqual([second.id]);
  });
});

describe("the table", () => {
  it("refuses a status and a version the domain never writes (its CHECK constraints)", async () => {
    const acme = await as(newTenant());
    const created = await create(acme);
    for (const [constraint, set] of [
      ["${n.snakes}_status_check", "status = 'deleted'"],
      ["${n.snakes}_version_check", "version = 0"],
    ] as const) {
      const update = server.db.$executeRawUnsafe(\`UPDATE ${n.snakes} SET \${set} WHERE id = '\${created.id}'::uuid\`);
      await expect(update).rejects.toThrow(constraint);
    }
    expect(await read(acme, created.id)).toEqual(created);
  });
});
`;
}

/** test/conventions/<context>.test.ts: the context's adapter for the shared convention suite. */
export function conventionsTestSource(n: ContextNames, s: ServiceUnderTest): string {
  const A = n.Aggregate;
  const SA = n.SCREAMING;
  return `import { randomUUID } from "node:crypto";
import {
  type Create${A}Request,
  type ${A},
  ${A}Status,
  type List${n.Aggregates}Request,
} from "../../generated/proto/hr/${n.context}/v1/${n.snake}_service.js";
import { ${s.start} } from "../support/${s.service}-under-test.js";
import { type ContextAdapter, required } from "./adapter.js";
import { describeConventions } from "./suite.js";

// The conventions (tenancy, request ids, etags, paging) in the ${n.context} context.
// Run alone: npx vitest run test/conventions/${n.context}.test.ts

type Filter = Partial<Pick<List${n.Aggregates}Request, "status">>;

const adapter: ContextAdapter<${A}, Create${A}Request, Filter> = {
  context: "${n.context}",
  noun: "${n.noun}",
  async start() {
    const server = await ${s.start}();
    const client = server.${n.aggregates};
    return {
      field: "${n.aggregate}",
      notFoundReason: "${SA}_NOT_FOUND",
      createRequest: () => ({ requestId: randomUUID(), title: "A title", note: "A note." }),
      otherPayloads: (request) => [
        { ...request, title: "Another title" },
        { ...request, note: "" },
      ],
      create: (request, caller) => client.create${A}(request, caller),
      get: async (id, caller) => (await client.get${A}({ id }, caller)).${n.aggregate}!,
      list: async (caller, page, filter = {}) => {
        const { ${n.aggregates}: items, nextPageToken } = await client.list${n.Aggregates}({ ...page, ...filter }, caller);
        return { items, nextPageToken };
      },
      filter: { status: ${A}Status.${SA}_STATUS_ACTIVE },
      otherFilters: [{ status: ${A}Status.${SA}_STATUS_ARCHIVED }],
      change: required("Update${A}", (target, caller, { requestId, etag }, variant = 0) =>
        client.update${A}(
          { requestId, ${n.aggregate}: { ...target, etag, title: \`Title \${variant}\` }, updateMask: ["title"] },
          caller,
        ),
      ),
      commands: [
        required("Archive${A}", (target, caller, key) => client.archive${A}({ ...key, id: target.id }, caller)),
      ],
      stop: () => server.stop(),
    };
  },
};

describeConventions(adapter);
`;
}
