import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import {
  EmployeeServiceDefinition,
  GetEmployeeRequest,
} from "../../generated/proto/hr/employee/v1/employee_service.js";
import { ensureDevelopmentKeys } from "../../runtime/auth/development-keys.js";
import { issueCallerToken, loadTokenSigner } from "../../runtime/auth/token-signer.js";
import { readInt } from "../../runtime/config.js";
import { databaseUrl, dropDatabase, ensureDatabase } from "../../runtime/db/databases.js";
import { resolvePostgres } from "../../runtime/db/postgres-server.js";
import { readRuntimeConfig } from "../../runtime/server/runtime-config.js";
import { freePort } from "../support/free-port.js";
import { oneAtATime } from "./cases/case.js";
import { directoryCase } from "./cases/directory.js";
import { echoCase, rawHireCase, rawSelectCase, refusedCase } from "./cases/floors.js";
import { directManagerChainCase, gatewayManagerChainCase } from "./cases/gateway.js";
import { peopleCases } from "./cases/people.js";
import { timeoffCases } from "./cases/timeoff.js";
import { cleanUpOnSignals, onCleanup, runCleanup } from "./cleanup.js";
import { pidsWithCommandLine, treeProbe } from "./cpu.js";
import { EVENTS_CASE, eventsSection } from "./events/section.js";
import { goalsTable } from "./goals.js";
import { CONCURRENCY, measure, SECONDS, stopMeasuring, WARMUP_MS } from "./load.js";
import { OVERLOAD_CASE, type OverloadResult, overloadSection } from "./overload.js";
import { launch } from "./processes.js";
import { noteWindow, writeProfileWindows } from "./profile-windows.js";
import { RATE_LIMITER_CASE, rateLimiterSection } from "./rate-limiter.js";
import { grpcFrame, openRawChannel, type RawChannel, roundRobin } from "./raw-grpc-client.js";
import { ECHO_CASE, echoMicros, type Row, report } from "./report.js";
import { seedPeople } from "./seed/people.js";
import { seedTimeoff } from "./seed/timeoff.js";

// `npm run bench`: every server in its own process, started as `npm start`
// starts it, on ports free right now; this process only seeds, drives the
// load and measures. See docs/changing-things.md ("The benchmark") for what each case means.

const POOL_SIZE = 10; // The services' default *_DATABASE_POOL_SIZE: the raw pg floors use as many connections.
const RESULTS = new URL("../../bench/results/latest.md", import.meta.url);
// BENCH_CASES=GetEmployee,GetTeam runs only the cases whose names start so
// (the table then goes to stdout only); BENCH_CPU_PROF=<dir> makes every
// server write a V8 CPU profile there when it stops (see processes.ts).
const ONLY = (process.env.BENCH_CASES ?? "").split(",").filter((name) => name !== "");
// BENCH_PEOPLE_PROCESSES=2 runs people as two processes, called round-robin, as
// PEOPLE_REPLICAS does for `npm start`.
const PEOPLE_PROCESSES = readInt(process.env, "BENCH_PEOPLE_PROCESSES", 1);

const started = Date.now();
const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
cleanUpOnSignals(stopMeasuring);

try {
  const dataDir = await mkdtemp(join(tmpdir(), "hr-bench-pg-"));
  onCleanup(() => rm(dataDir, { recursive: true, force: true }));
  const postgres = await resolvePostgres({ dataDir, port: await freePort() });
  onCleanup(() => postgres.stop());
  const database = async (service: string) => {
    const name = `hr_bench_${service}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
    await ensureDatabase(postgres.serverUrl, name);
    onCleanup(() => dropDatabase(postgres.serverUrl, name));
    return databaseUrl(postgres.serverUrl, name);
  };
  const [peopleDb, timeoffDb] = [await database("people"), await database("timeoff")];
  // The servers verify with the development JWKS (their default), as under `npm start`.
  const keys = await ensureDevelopmentKeys();

  const port = { timeoff: 0, directory: 0, gateway: 0, grpcJs: 0, niceGrpc: 0 };
  for (const key of Object.keys(port) as (keyof typeof port)[]) port[key] = await freePort();
  const peoplePorts: number[] = [];
  for (let i = 0; i < PEOPLE_PROCESSES; i++) peoplePorts.push(await freePort());
  const peopleNames = peoplePorts.map((_, i) => (i === 0 ? "people" : `people ${i + 1}`));
  const peopleAddresses = peoplePorts.map((p) => `127.0.0.1:${p}`);
  const peopleTarget = `ipv4:${peopleAddresses.join(",")}`;
  console.error("bench: starting server processes (the data services migrate their databases first)");
  // Each server is cleaned up as soon as it is up, even when another fails to start.
  const startServer = (name: string, entry: string, p: number, env: Record<string, string>) =>
    launch(name, entry, p, env).then((server) => {
      onCleanup(() => server.stop());
      return server;
    });
  // No bus for these data services, whatever this shell sets (the NATS_URL that selects the Events
  // case's second bus included): no relay runs, their outbox only fills; the Events case has its own.
  const noBus = { EVENTS_DATABASE_URL: "", NATS_URL: "" };
  const launched = await Promise.allSettled([
    ...peoplePorts.map((p, i) =>
      startServer(peopleNames[i] ?? "people", "services/people/main.ts", p, {
        ...{ PEOPLE_PORT: String(p), PEOPLE_DATABASE_URL: peopleDb, ...noBus },
      }),
    ),
    startServer("timeoff", "services/timeoff/main.ts", port.timeoff, {
      ...{ TIMEOFF_PORT: String(port.timeoff), TIMEOFF_DATABASE_URL: timeoffDb, ...noBus },
    }),
    startServer("directory", "apps/directory/main.ts", port.directory, {
      ...{ DIRECTORY_PORT: String(port.directory), DIRECTORY_PEOPLE_TARGET: peopleTarget },
    }),
    // Limits far above the bench's rate: the limiter's work is measured, not its refusals.
    startServer("gateway", "apps/gateway/main.ts", port.gateway, {
      ...{ GATEWAY_PORT: String(port.gateway), GATEWAY_UPSTREAMS: `hr.directory.v1=127.0.0.1:${port.directory}` },
      ...{ GATEWAY_TENANT_LIMIT: "100000000", GATEWAY_CALLER_LIMIT: "100000000", GATEWAY_ADDRESS_LIMIT: "100000000" },
    }),
    startServer("grpc-js echo", "test/bench/echo/grpc-js-echo.ts", port.grpcJs, { ECHO_PORT: String(port.grpcJs) }),
    startServer("nice-grpc echo", "test/bench/echo/nice-grpc-echo.ts", port.niceGrpc, {
      ECHO_PORT: String(port.niceGrpc),
    }),
  ]);
  const servers = launched.map((r) => {
    if (r.status === "rejected") throw r.reason;
    return r.value;
  });

  const tenantId = `bench-${randomUUID()}`;
  const people = await seedPeople(peopleDb, tenantId, CONCURRENCY);
  const timeoff = await seedTimeoff(timeoffDb, tenantId);
  const token = await issueCallerToken(
    { tenantId, userId: "bench-user", roles: ["hr_admin"] },
    await loadTokenSigner(keys.signingKeyFile, process.env),
    readRuntimeConfig({ ...process.env, AUTH_JWKS_FILE: keys.jwksFile }).auth,
    900,
  );
  const authorization = `Bearer ${token}`;
  // Every gRPC case goes through the same raw-bytes client (raw-grpc-client.ts), from this process.
  const opened = (c: RawChannel) => {
    onCleanup(() => c.close());
    return c;
  };
  const channel = (p: number) => opened(openRawChannel(`127.0.0.1:${p}`, { authorization }));
  const pool = new pg.Pool({ connectionString: peopleDb, max: POOL_SIZE });
  onCleanup(() => pool.end());

  const peopleChannel = opened(roundRobin(peoplePorts.map(channel)));
  const employees = peopleCases(peopleChannel, people, peopleNames);
  const leave = timeoffCases(channel(port.timeoff), timeoff);
  // Calls whose deadline passed long ago (1 ms after the epoch): admission refuses them unrun.
  const pastDeadline = roundRobin(
    peoplePorts.map((p) => opened(openRawChannel(`127.0.0.1:${p}`, { authorization, "x-deadline-ms": "1" }))),
  );
  const { fullName, methods } = EmployeeServiceDefinition;
  const getPath = `/${fullName}/${methods.getEmployee.name}`;
  const getFrame = grpcFrame(GetEmployeeRequest.encode({ id: people.employeeIds[0] ?? "" }).finish());
  const cases = [
    echoCase(ECHO_CASE, "grpc-js echo", channel(port.grpcJs)),
    echoCase("nice-grpc echo", "nice-grpc echo", channel(port.niceGrpc)),
    rawSelectCase(pool, tenantId, people),
    ...[employees.get, refusedCase(pastDeadline, getPath, getFrame, peopleNames)],
    ...[employees.batchGet, employees.list, employees.hire, employees.replay, employees.update],
    rawHireCase(pool, tenantId, people),
    ...[leave.spread, leave.hot, leave.approve],
    directoryCase(channel(port.directory), people, peopleNames),
    directManagerChainCase(channel(port.directory), people, peopleNames),
    gatewayManagerChainCase(port.gateway, `Bearer ${token}`, people, peopleNames),
    // Latency with nothing queued: the gateway's added p50 is the same call's, through it and not.
    oneAtATime(employees.get),
    oneAtATime(directManagerChainCase(channel(port.directory), people, peopleNames)),
    oneAtATime(gatewayManagerChainCase(port.gateway, `Bearer ${token}`, people, peopleNames)),
  ];

  // PostgreSQL's CPU only when it is ours: a server from DATABASE_URL may serve others too.
  const postmaster = process.env.DATABASE_URL ? undefined : pidsWithCommandLine(dataDir)[0];
  const probes = [
    ...servers.map((s) => treeProbe(s.name, s.pid)),
    ...(postmaster ? [treeProbe("postgres", postmaster)] : []),
  ];
  const rows: Row[] = [];
  for (const c of cases.filter((c) => ONLY.length === 0 || ONLY.some((name) => c.name.startsWith(name)))) {
    process.stderr.write(`bench: ${c.name} ... `);
    const m = await measure(c.call, probes, c.concurrency);
    process.stderr.write(`${Math.round(m.calls / m.seconds)} calls/s${m.errors ? `, ${m.errors} errors` : ""}\n`);
    rows.push({ name: c.name, servers: c.servers, m });
    noteWindow({ name: c.name, calls: m.calls, startUs: m.startUs, endUs: m.endUs });
  }
  const sections: string[] = [];
  let overload: OverloadResult | undefined;
  if (ONLY.length === 0 || ONLY.some((name) => RATE_LIMITER_CASE.startsWith(name))) {
    process.stderr.write(`bench: ${RATE_LIMITER_CASE} ... `);
    sections.push(...(await rateLimiterSection()));
  }
  if (ONLY.length === 0 || ONLY.some((name) => OVERLOAD_CASE.startsWith(name))) {
    process.stderr.write(`bench: ${OVERLOAD_CASE} ... `);
    const args = [peopleAddresses, authorization, people.employeeIds, probes, echoMicros(rows)] as const;
    overload = await overloadSection(employees.get, ...args);
    sections.push(...overload.lines);
  }
  if (ONLY.length === 0 || ONLY.some((name) => EVENTS_CASE.startsWith(name))) {
    process.stderr.write(`bench: ${EVENTS_CASE}\n`);
    const postgresProbe = probes.find((p) => p.name === "postgres");
    const context = { database, authorization, tenantId, rawPool: pool, rawSeed: people, postgres: postgresProbe };
    sections.push(...(await eventsSection(context)));
  }

  writeProfileWindows(servers);
  const cores = availableParallelism();
  const markdown = report(
    [
      `date ${new Date().toISOString()}, Node ${process.version}, ${cores} cores: load client and all servers share them`,
      `load average (1, 5, 15 min) ${loadBefore} before, ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} after`,
      `${CONCURRENCY} calls in flight (1 in the "one at a time" cases), ${SECONDS} s per case after a ${WARMUP_MS / 1000} s warm-up; setup and all cases took ${Math.round((Date.now() - started) / 1000)} s`,
      `PostgreSQL: ${process.env.DATABASE_URL ? "the server in DATABASE_URL (its CPU not measured)" : "embedded, in a temporary folder"}; raw pg floors use a pool of ${POOL_SIZE} (the services' default pool size)`,
      `servers: one process each (people: ${PEOPLE_PROCESSES}, called round-robin), started as \`npm start\` does (node dist/<entry>.js), default env (LOG_LEVEL info, stdout discarded); load: this process (apart from every server, also for the echo and raw pg floors), a raw-bytes HTTP/2 gRPC client (raw-grpc-client.ts: encoded request, no middleware, no deadline) over 16 connections per server`,
      "server CPU: utime+stime of the server's process tree over the measured window / calls; RSS: largest VmRSS in that tree; CPU % is of one core",
      "echo floors: a 36-byte request echoed back; GetTeam's server CPU is directory + people",
      "other processes CPU %: the machine's busy time in the window minus this bench's processes (it includes PostgreSQL when that is DATABASE_URL's)",
    ],
    rows,
    [...goalsTable(rows, overload?.sendsAll), ...sections],
  );
  console.log(markdown);
  if (ONLY.length === 0) {
    await writeFile(RESULTS, markdown);
    console.error(`bench: written to bench/results/latest.md in ${Math.round((Date.now() - started) / 1000)} s`);
  }
} finally {
  await runCleanup();
}
