import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { createChannel, createClient, createServer, Metadata } from "nice-grpc";
import pg from "pg";
import { pino } from "pino";
import { v7 as uuidv7 } from "uuid";
import { PrismaClient } from "../../generated/prisma/people/client.js";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { issueCallerToken } from "../../runtime/auth/caller.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import { readInt, readRuntimeConfig } from "../../runtime/config.js";
import { openSqlDatabase } from "../../runtime/db/sql.js";
import { startPeopleServer } from "../../services/people/people-server.js";
import {
  benchDatabase,
  type Cleanup,
  describeRun,
  measure,
  printResults,
  type Result,
  ratio,
  runCleanup,
} from "./measure.js";

// `npm run bench`: the people service's hot reads against their floors, in one process.
// Each case keeps BENCH_CONCURRENCY calls in flight (closed loop) for BENCH_SECONDS after a
// 1 s warm-up. The floors: a bare nice-grpc echo (no protobuf, no middleware, no I/O: a raw
// service definition whose serializers pass bytes through) and the raw `pg` query the
// repository's Prisma call amounts to, on a pool as large as the service's. Percentiles come
// from the sorted latencies (tinybench is only vitest's dependency and runs calls one by one).
// PostgreSQL: DATABASE_URL when set, else an embedded server in a temporary folder.

const POOL_SIZE = readInt(process.env, "PEOPLE_DATABASE_POOL_SIZE", 10); // services/people/main.ts's default
const DEPARTMENTS = 10;
const EMPLOYEES = 1000;
const PAGE = 50;

/** A unary method over raw bytes: nice-grpc accepts grpc-js style definitions with own serializers. */
const bytes = (b: Buffer) => b;
const EchoDefinition = {
  echo: {
    path: "/bench.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: bytes,
    requestDeserialize: bytes,
    responseSerialize: bytes,
    responseDeserialize: bytes,
    options: {},
  },
} as const;

const cleanup: Cleanup = [];
try {
  const url = await benchDatabase("people", cleanup);

  // Seed one tenant directly through Prisma: 10 departments, 1000 employees (hiring order = id order).
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: POOL_SIZE }) });
  cleanup.unshift(() => db.$disconnect());
  const tenantId = `bench-${randomUUID()}`;
  const now = new Date();
  const departmentIds = Array.from({ length: DEPARTMENTS }, () => uuidv7());
  await db.department.createMany({
    data: departmentIds.map((id, i) => ({
      id,
      tenantId,
      name: `Department ${i}`,
      code: `D${i}`,
      parentId: null,
      headEmployeeId: null,
      status: "active",
      version: 1,
      createTime: now,
      updateTime: now,
    })),
  });
  const employeeIds = Array.from({ length: EMPLOYEES }, () => uuidv7());
  await db.employee.createMany({
    data: employeeIds.map((id, i) => ({
      id,
      tenantId,
      givenName: `Given${i}`,
      familyName: `Family${i}`,
      workEmail: `employee${i}@bench.example`,
      jobTitle: "Engineer",
      departmentId: departmentIds[i % DEPARTMENTS] ?? "",
      managerId: i === 0 ? null : (employeeIds[0] ?? null),
      hireDate: new Date("2024-01-15T00:00:00Z"),
      status: "active",
      terminationDate: null,
      version: 1,
      createTime: now,
      updateTime: now,
    })),
  });
  const pick = (i: number) => employeeIds[(i * 7919) % EMPLOYEES] ?? "";
  const hireRequest = (requestId: string, i: number) => ({
    requestId,
    givenName: "New",
    familyName: `Hire${i}`,
    workEmail: `new-hire-${i}@bench.example`,
    jobTitle: "Engineer",
    departmentId: departmentIds[0] ?? "",
    managerId: employeeIds[0] ?? "",
    hireDate: "2026-01-05",
  });

  const config = readRuntimeConfig({ LOG_LEVEL: "silent" });
  const server = await startPeopleServer({
    db: openSqlDatabase(url, POOL_SIZE),
    port: 0,
    config,
    logger: pino({ level: "silent" }),
  });
  cleanup.unshift(() => server.stop());
  const channel = openChannel(`127.0.0.1:${server.port}`);
  cleanup.unshift(() => channel.close());
  const employees = createServiceClient(EmployeeServiceDefinition, channel, {
    defaultDeadlineMs: config.defaultDeadlineMs,
  });
  const token = await issueCallerToken({ tenantId, userId: "bench-user", roles: ["hr_admin"] }, config.auth);
  const options = { metadata: Metadata({ authorization: `Bearer ${token}` }) };

  const echoServer = createServer();
  echoServer.add(EchoDefinition, { echo: async (request: Buffer) => request });
  const echoPort = await echoServer.listen("127.0.0.1:0");
  cleanup.unshift(() => echoServer.shutdown());
  const echoChannel = createChannel(`127.0.0.1:${echoPort}`);
  cleanup.unshift(() => echoChannel.close());
  const echo = createClient(EchoDefinition, echoChannel);

  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  cleanup.unshift(() => pool.end());

  console.log(
    `${describeRun("people bench")}, pool ${POOL_SIZE}, ${EMPLOYEES} employees in ${DEPARTMENTS} departments`,
  );
  // Each case checks its answer once, so a broken case cannot report fast nonsense.
  const first = await employees.listEmployees({ pageSize: PAGE }, options);
  if (first.employees.length !== PAGE) throw new Error(`ListEmployees returned ${first.employees.length} employees`);
  const results = [
    await measure("GetEmployee (gRPC + Prisma)", async (i) => employees.getEmployee({ id: pick(i) }, options)),
    await measure(`ListEmployees ${PAGE} (gRPC + Prisma)`, async () =>
      employees.listEmployees({ pageSize: PAGE }, options),
    ),
    await measure("bare nice-grpc echo", async (i) => echo.echo(Buffer.from(pick(i)))),
    await measure("raw pg: one employee", async (i) => {
      const { rowCount } = await pool.query("SELECT * FROM employees WHERE tenant_id = $1 AND id = $2", [
        tenantId,
        pick(i),
      ]);
      if (rowCount !== 1) throw new Error("raw pg: employee not found");
    }),
    // PAGE + 1 rows, as the service reads them to know whether a next page exists.
    await measure(`raw pg: page of ${PAGE}`, async () =>
      pool.query("SELECT * FROM employees WHERE tenant_id = $1 ORDER BY id LIMIT $2", [tenantId, PAGE + 1]),
    ),
    // The write path: a new hire per call (one transaction: idempotency record + insert) ...
    await measure("HireEmployee (new request_id)", async (i) =>
      employees.hireEmployee(hireRequest(`bench-hire-${i}`, i), options),
    ),
    // ... and a repeat of an earlier one, answered from its idempotency record.
    await measure("HireEmployee (replayed request_id)", async (i) =>
      employees.hireEmployee(hireRequest(`bench-hire-${i % 1000}`, i % 1000), options),
    ),
  ];

  printResults(results);
  const [get, list, bare, rawGet, rawList, hire, replay] = results as [
    Result,
    Result,
    Result,
    Result,
    Result,
    Result,
    Result,
  ];
  console.log(`GetEmployee / echo:           ${ratio(get, bare)}`);
  console.log(`GetEmployee / raw pg:         ${ratio(get, rawGet)}`);
  console.log(`ListEmployees / raw pg page:  ${ratio(list, rawList)}`);
  console.log(`HireEmployee / GetEmployee:   ${ratio(hire, get)}`);
  console.log(`replayed / new HireEmployee:  ${ratio(replay, hire)}`);
} finally {
  await runCleanup(cleanup);
}
