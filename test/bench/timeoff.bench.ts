import { randomUUID } from "node:crypto";
import { Metadata } from "nice-grpc";
import { pino } from "pino";
import { LeaveAccountServiceDefinition, LeaveType } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { issueCallerToken } from "../../runtime/auth/caller.js";
import { createServiceClient, openChannel } from "../../runtime/client/service-client.js";
import { readInt, readRuntimeConfig } from "../../runtime/config.js";
import { openSqlDatabase } from "../../runtime/db/sql.js";
import { startTimeoffServer } from "../../services/timeoff/timeoff-server.js";
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

// `npm run bench`, second part: the timeoff write path. RequestLeave locks its
// account's row, checks the balance against the latest state and writes the
// request, its movement and its idempotency record in one transaction. Measured
// spread over many accounts (little contention) and on a few hot accounts
// (calls queue on the row locks), each call asking one distinct working day.

const POOL_SIZE = readInt(process.env, "TIMEOFF_DATABASE_POOL_SIZE", 10); // services/timeoff/main.ts's default
const YEAR = 2030;
const SPREAD_ACCOUNTS = 512;
const HOT_ACCOUNTS = 8;

/** The working days (Monday to Friday) of YEAR, as "YYYY-MM-DD". */
const WORKING_DAYS = Array.from({ length: 366 }, (_, d) => new Date(Date.UTC(YEAR, 0, 1 + d)))
  .filter((day) => day.getUTCFullYear() === YEAR && day.getUTCDay() % 6 !== 0)
  .map((day) => day.toISOString().slice(0, 10));

const cleanup: Cleanup = [];
try {
  const url = await benchDatabase("timeoff", cleanup);
  const db = openSqlDatabase(url, POOL_SIZE);
  cleanup.unshift(() => db.end());
  const config = readRuntimeConfig({ LOG_LEVEL: "silent" });
  const server = await startTimeoffServer({ db, port: 0, config, logger: pino({ level: "silent" }) });
  cleanup.unshift(() => server.stop());
  const channel = openChannel(`127.0.0.1:${server.port}`);
  cleanup.unshift(() => channel.close());
  const leave = createServiceClient(LeaveAccountServiceDefinition, channel, {
    defaultDeadlineMs: config.defaultDeadlineMs,
  });
  const tenantId = `bench-${randomUUID()}`;
  const token = await issueCallerToken({ tenantId, userId: "bench-user", roles: ["hr_admin"] }, config.auth);
  const options = { metadata: Metadata({ authorization: `Bearer ${token}` }) };

  /** Opens `count` accounts with a full year of entitlement, 64 at a time. */
  const openAccounts = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 64) {
      const opened = await Promise.all(
        Array.from({ length: Math.min(64, count - i) }, () =>
          leave.openLeaveAccount(
            {
              requestId: randomUUID(),
              employeeId: randomUUID(),
              leaveType: LeaveType.LEAVE_TYPE_ANNUAL,
              year: YEAR,
              entitlementHalfDays: 732,
            },
            options,
          ),
        ),
      );
      ids.push(...opened.map((r) => r.leaveAccount?.id ?? ""));
    }
    return ids;
  };

  /** Call `i` asks for the (i / accounts)-th working day on account i % accounts: never an overlap. */
  const requestLeave = (accounts: readonly string[]) => async (i: number) => {
    const day = WORKING_DAYS[Math.floor(i / accounts.length)];
    if (day === undefined) throw new Error("out of working days: raise the number of accounts");
    const answer = await leave.requestLeave(
      {
        requestId: `bench-${i}-${accounts.length}`,
        id: accounts[i % accounts.length] ?? "",
        etag: "",
        startDate: day,
        endDate: day,
        halfDay: false,
        note: "",
      },
      options,
    );
    // Each case checks its answer, so a broken case cannot report fast nonsense.
    if (answer.leaveRequest?.startDate !== day) throw new Error("RequestLeave answered another request");
  };

  const spread = await openAccounts(SPREAD_ACCOUNTS);
  const hot = await openAccounts(HOT_ACCOUNTS);
  console.log(`${describeRun("timeoff bench")}, pool ${POOL_SIZE}`);
  const results = [
    await measure(`RequestLeave over ${SPREAD_ACCOUNTS} accounts`, requestLeave(spread)),
    await measure(`RequestLeave on ${HOT_ACCOUNTS} hot accounts`, requestLeave(hot)),
    await measure("GetLeaveAccount", async (i) =>
      leave.getLeaveAccount({ id: spread[i % SPREAD_ACCOUNTS] ?? "" }, options),
    ),
  ];
  printResults(results);
  const [spreadResult, hotResult, get] = results as [Result, Result, Result];
  console.log(`hot / spread RequestLeave:    ${ratio(hotResult, spreadResult)}`);
  console.log(`RequestLeave / GetLeaveAccount: ${ratio(spreadResult, get)}`);
} finally {
  await runCleanup(cleanup);
}
