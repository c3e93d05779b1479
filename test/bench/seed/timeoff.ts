import { randomUUID } from "node:crypto";
import pg from "pg";
import { v7 as uuidv7 } from "uuid";

// Leave accounts written straight into timeoff's database (schema:
// services/timeoff/prisma/schema.prisma). Each account is as OpenLeaveAccount
// leaves it (version 1, its "opened" movement). The approval accounts also get
// pending requests inserted directly, without the "reserved" movements
// RequestLeave would append: the domain derives balances from the requests,
// and the next movement's sequence is the next version, so nothing clashes.

export const YEAR = 2030;
export const ENTITLEMENT_HALF_DAYS = 732;
export const SPREAD_ACCOUNTS = 512;
export const HOT_ACCOUNTS = 8;
const APPROVAL_ACCOUNTS = 1024;
const PENDING_PER_ACCOUNT = 12;

/** The working days (Monday to Friday) of YEAR, as "YYYY-MM-DD". */
export const WORKING_DAYS = Array.from({ length: 366 }, (_, d) => new Date(Date.UTC(YEAR, 0, 1 + d)))
  .filter((day) => day.getUTCFullYear() === YEAR && day.getUTCDay() % 6 !== 0)
  .map((day) => day.toISOString().slice(0, 10));

export interface TimeoffSeed {
  spread: string[];
  hot: string[];
  /** Pending requests, each to approve once, ordered so consecutive calls hit different accounts. */
  approvals: { accountId: string; leaveRequestId: string }[];
}

export async function seedTimeoff(url: string, tenantId: string): Promise<TimeoffSeed> {
  const accounts = (n: number) => Array.from({ length: n }, () => uuidv7());
  const spread = accounts(SPREAD_ACCOUNTS);
  const hot = accounts(HOT_ACCOUNTS);
  const approvalAccounts = accounts(APPROVAL_ACCOUNTS);
  const approvals = Array.from({ length: PENDING_PER_ACCOUNT }, () =>
    approvalAccounts.map((accountId) => ({ accountId, leaveRequestId: uuidv7() })),
  ).flat();
  const all = [...spread, ...hot, ...approvalAccounts];
  const pending = new Set(approvalAccounts);
  const reserved = all.map((id) => (pending.has(id) ? 2 * PENDING_PER_ACCOUNT : 0));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO leave_accounts (id, tenant_id, employee_id, leave_type, year, entitlement_half_days,
         accrued_half_days, reserved_half_days, approved_half_days, version, create_time, update_time)
       SELECT id, $1, employee, 'annual', $4, $5, 0, reserved, 0, 1, now(), now()
       FROM unnest($2::uuid[], $3::uuid[], $6::int[]) AS t(id, employee, reserved)`,
      [tenantId, all, all.map(() => randomUUID()), YEAR, ENTITLEMENT_HALF_DAYS, reserved],
    );
    await client.query(
      `INSERT INTO leave_movements (account_id, sequence, tenant_id, kind, amount_half_days, reason,
         entitlement_half_days, accrued_half_days, reserved_half_days, approved_half_days, create_time)
       SELECT id, 1, $1, 'opened', $3, '', $3, 0, 0, 0, now() FROM unnest($2::uuid[]) AS t(id)`,
      [tenantId, all, ENTITLEMENT_HALF_DAYS],
    );
    // Request k of every approval account is on working day k.
    await client.query(
      `INSERT INTO leave_requests (id, tenant_id, account_id, start_date, end_date, half_day, amount_half_days,
         note, status, create_time, update_time)
       SELECT id, $1, account, day, day, false, 2, '', 'pending', now(), now()
       FROM unnest($2::uuid[], $3::uuid[], $4::date[]) AS t(id, account, day)`,
      [
        tenantId,
        approvals.map((a) => a.leaveRequestId),
        approvals.map((a) => a.accountId),
        approvals.map((_, i) => WORKING_DAYS[Math.floor(i / APPROVAL_ACCOUNTS)]),
      ],
    );
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
  return { spread, hot, approvals };
}
