import type {
  LeaveAccount as LeaveAccountModel,
  LeaveMovement as LeaveMovementModel,
  LeaveRequest as LeaveRequestModel,
} from "../../../generated/prisma/timeoff/client.js";
import { ErrorReason } from "../../../generated/proto/hr/timeoff/v1/error_reason.js";
import { isUniqueViolation, type Sql, sql } from "../../../runtime/db/sql.js";
import { date, type Stored, Table, timestamp } from "../../../runtime/db/table.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import { type Outbox, recordIn } from "../../../runtime/events/outbox.js";
import type {
  LeaveAccount,
  LeaveAccountStatus,
  LeaveChange,
  LeaveMovement,
  LeaveRequest,
  LeaveRequestStatus,
  LeaveType,
  MovementKind,
} from "./leave-account.js";
import { accountSubject } from "./leave-account.js";
import { changeEvents, LEAVE_ACCOUNT_EVENTS, openedEvents } from "./leave-account-events.js";

/** List filters; each one set narrows the list (AND). */
export interface LeaveAccountFilter {
  employeeId: string | undefined;
  /** Accounts of any of these employees (lower case, no duplicates); undefined: any. */
  employeeIds: readonly string[] | undefined;
  year: number | undefined;
}

const accounts = new Table<LeaveAccountModel>("leave_accounts", {
  ...{ id: "id", tenantId: "tenant_id", employeeId: "employee_id", leaveType: "leave_type", year: "year" },
  ...{ entitlementHalfDays: "entitlement_half_days", accruedHalfDays: "accrued_half_days" },
  ...{ reservedHalfDays: "reserved_half_days", approvedHalfDays: "approved_half_days", version: "version" },
  ...{ createTime: timestamp("create_time"), updateTime: timestamp("update_time") },
  ...{ status: "status", lastDay: date("last_day"), remainingHalfDays: "remaining_half_days" },
  settleTime: timestamp("settle_time"),
});
const requests = new Table<LeaveRequestModel>("leave_requests", {
  ...{ id: "id", tenantId: "tenant_id", accountId: "account_id" },
  ...{ startDate: date("start_date"), endDate: date("end_date"), halfDay: "half_day" },
  ...{ amountHalfDays: "amount_half_days", note: "note", status: "status" },
  ...{ createTime: timestamp("create_time"), updateTime: timestamp("update_time") },
});
const movements = new Table<LeaveMovementModel>("leave_movements", {
  ...{ accountId: "account_id", sequence: "sequence", tenantId: "tenant_id", kind: "kind" },
  ...{ amountHalfDays: "amount_half_days", leaveRequestId: "leave_request_id", reason: "reason" },
  ...{ entitlementHalfDays: "entitlement_half_days", accruedHalfDays: "accrued_half_days" },
  ...{ reservedHalfDays: "reserved_half_days", approvedHalfDays: "approved_half_days" },
  createTime: timestamp("create_time"),
});

type AccountRow = Stored<LeaveAccountModel> & { requests: Stored<LeaveRequestModel>[] };

// An account `a` with its requests as a JSON array, oldest first (ids are UUIDv7): one round trip.
const ACCOUNT = `${accounts.selectList("a")}, COALESCE((
    SELECT json_agg(r ORDER BY r.id) FROM (SELECT ${requests.selectList()} FROM leave_requests
    WHERE tenant_id = a.tenant_id AND account_id = a.id) r), '[]') AS requests`;

const GET = sql(`SELECT ${ACCOUNT} FROM leave_accounts a WHERE a.tenant_id = $1 AND a.id = $2::uuid`);
// Each filter is either null (any) or a value; id order is creation order.
const LIST = sql(`
  SELECT ${ACCOUNT} FROM leave_accounts a
  WHERE a.tenant_id = $1
    AND ($2::uuid IS NULL OR a.employee_id = $2::uuid)
    AND ($3::int IS NULL OR a.year = $3::int)
    AND ($4::uuid IS NULL OR a.id > $4::uuid)
    AND ($6::uuid[] IS NULL OR a.employee_id = ANY($6::uuid[]))
  ORDER BY a.id LIMIT $5`);
// Locks the row, then reads the account and its requests from the statement's
// snapshot. When the lock had to wait for a command that committed meanwhile,
// the lock sees the new version but the snapshot still the old one (READ
// COMMITTED re-reads only the locked row): `lockedVersion` tells.
const LOCK = sql(`
  WITH locked AS MATERIALIZED (
    SELECT version FROM leave_accounts WHERE tenant_id = $1 AND id = $2::uuid FOR UPDATE
  )
  SELECT locked.version AS "lockedVersion", ${ACCOUNT}
  FROM locked, leave_accounts a WHERE a.tenant_id = $1 AND a.id = $2::uuid`);
// The account's movements after a sequence; no row when the tenant has no such account.
const MOVEMENTS = sql(`
  SELECT COALESCE((SELECT json_agg(m ORDER BY m.sequence) FROM (
    SELECT ${movements.selectList()} FROM leave_movements
    WHERE tenant_id = a.tenant_id AND account_id = a.id AND sequence > $3 ORDER BY sequence LIMIT $4) m), '[]') AS movements
  FROM leave_accounts a WHERE a.tenant_id = $1 AND a.id = $2::uuid`);

// Writes take whole rows as JSON keyed by column (see Table.json), so one
// statement writes an aggregate's rows, and every column of each.
const INSERT = sql(`
  WITH account AS (
    INSERT INTO leave_accounts SELECT * FROM json_populate_record(null::leave_accounts, $1::json) RETURNING id
  )
  INSERT INTO leave_movements SELECT m.* FROM account, json_populate_record(null::leave_movements, $2::json) m`);
// The account only while still at version $2; the requests a command added or
// decided (only status and update time of a request ever change); the movements
// (one, or several for a settlement). Nothing is written when the version check
// fails: all rows come from `account`.
const SAVE = sql(`
  WITH account AS (
    UPDATE leave_accounts a SET accrued_half_days = n.accrued_half_days, reserved_half_days = n.reserved_half_days,
      approved_half_days = n.approved_half_days, version = n.version, update_time = n.update_time,
      status = n.status, last_day = n.last_day, remaining_half_days = n.remaining_half_days, settle_time = n.settle_time
    FROM json_populate_record(null::leave_accounts, $1::json) n
    WHERE a.tenant_id = n.tenant_id AND a.id = n.id AND a.version = $2
    RETURNING a.id
  ), changed_requests AS (
    INSERT INTO leave_requests SELECT r.* FROM account, json_populate_recordset(null::leave_requests, $3::json) r
    ON CONFLICT (id) DO UPDATE SET status = excluded.status, update_time = excluded.update_time
    WHERE leave_requests.tenant_id = excluded.tenant_id AND leave_requests.account_id = excluded.account_id
  )
  INSERT INTO leave_movements SELECT m.* FROM account, json_populate_recordset(null::leave_movements, $4::json) m`);

/**
 * Loads and saves LeaveAccount aggregates with their leave requests (child
 * rows owned by the account) and appends their movements; every query is
 * scoped by tenant. Bound to the pool for reads, or to a command's transaction.
 */
export class LeaveAccountRepository {
  constructor(
    private readonly sql: Sql,
    /** The command's outbox, where saves record their events; none for reads. */
    private readonly outbox?: Outbox,
  ) {}

  async get(tenantId: string, id: string): Promise<LeaveAccount | undefined> {
    const [row] = await this.sql.rows<AccountRow>(GET, [tenantId, id]);
    return row && toDomain(row);
  }

  /**
   * Locks the account's row until the transaction ends and loads it, so
   * commands on one account take turns, each on the state the previous one
   * committed: two requests can never both spend the last day. One round
   * trip, two when the lock had to wait for a change (the read is then stale).
   */
  async lock(tenantId: string, id: string): Promise<LeaveAccount | undefined> {
    const [row] = await this.sql.rows<AccountRow & { lockedVersion: number }>(LOCK, [tenantId, id]);
    if (row === undefined) return undefined;
    const { lockedVersion, ...account } = row;
    return lockedVersion === account.version ? toDomain(account) : this.get(tenantId, id);
  }

  /** One page in id order (ids are time-ordered UUIDv7, so this is creation order). */
  async list(tenantId: string, filter: LeaveAccountFilter, afterId: string | undefined, limit: number) {
    const { employeeId, employeeIds, year } = filter;
    const values = [tenantId, employeeId ?? null, year ?? null, afterId ?? null, limit, employeeIds ?? null];
    return (await this.sql.rows<AccountRow>(LIST, values)).map(toDomain);
  }

  /** The movements after `afterSequence`, in sequence order; undefined when the tenant has no such account. */
  async movements(tenantId: string, accountId: string, afterSequence: number, limit: number) {
    const values = [tenantId, accountId, afterSequence, limit];
    const [row] = await this.sql.rows<{ movements: Stored<LeaveMovementModel>[] }>(MOVEMENTS, values);
    return row?.movements.map(toMovement);
  }

  /** Inserts a new account with its first movement. */
  async insert(change: LeaveChange): Promise<void> {
    const values = [accounts.json(accountRow(change)), movements.json(movementRow(change.account, change.movement))];
    await this.sql.count(INSERT, values).catch(translateUniqueViolation);
    await recordIn(this.outbox, LEAVE_ACCOUNT_EVENTS, change.account, openedEvents(change.account));
  }

  /** Saves a changed account if it is still at `before.version` (ABORTED otherwise), in one statement. */
  async save(before: LeaveAccount, change: LeaveChange): Promise<void> {
    const { account } = change;
    const previous = new Map(before.requests.map((r) => [r.id, r.status]));
    const changed = account.requests.filter((r) => previous.get(r.id) !== r.status);
    const values = [
      accounts.json(accountRow(change)),
      before.version,
      requests.json(changed.map((r) => ({ ...r, tenantId: account.tenantId, accountId: account.id }))),
      movements.json(change.movements.map((movement) => movementRow(account, movement))),
    ];
    if ((await this.sql.count(SAVE, values)) === 0) throw etagMismatch(accountSubject(account.id));
    const decidedBy = this.outbox?.cause.employeeId ?? "";
    await recordIn(this.outbox, LEAVE_ACCOUNT_EVENTS, account, changeEvents(account, before, decidedBy));
  }
}

function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error, "leave_accounts_tenant_id_employee_id_leave_type_year_key")) {
    const message = "the employee already has a leave account of this type for this year";
    throw alreadyExists(ErrorReason.LEAVE_ACCOUNT_EXISTS, message, "employee_id");
  }
  throw error;
}

// Rows and domain objects differ only in these fields: the rest is copied as is.

function toDomain(row: AccountRow): LeaveAccount {
  const {
    reservedHalfDays: _,
    approvedHalfDays: __,
    requests,
    lastDay,
    remainingHalfDays,
    settleTime,
    ...account
  } = row;
  const settlement =
    lastDay !== null && remainingHalfDays !== null && settleTime !== null
      ? { lastDay, remainingHalfDays, settleTime }
      : null;
  const status = account.status as LeaveAccountStatus;
  return {
    ...account,
    leaveType: account.leaveType as LeaveType,
    status,
    settlement,
    requests: requests.map(toRequest),
  };
}

function toRequest({ tenantId: _, accountId: __, ...request }: Stored<LeaveRequestModel>): LeaveRequest {
  return { ...request, status: request.status as LeaveRequestStatus };
}

function toMovement(row: Stored<LeaveMovementModel>): LeaveMovement {
  const { accountId: _, tenantId: __, entitlementHalfDays, accruedHalfDays, reservedHalfDays, approvedHalfDays } = row;
  const availableHalfDays = entitlementHalfDays + accruedHalfDays - reservedHalfDays - approvedHalfDays;
  const balance = { entitlementHalfDays, accruedHalfDays, reservedHalfDays, approvedHalfDays, availableHalfDays };
  const { sequence, amountHalfDays, leaveRequestId, reason, createTime } = row;
  return { sequence, kind: row.kind as MovementKind, amountHalfDays, leaveRequestId, reason, balance, createTime };
}

/** The account row, with the balance the last movement computed: reserved and approved are stored for queries. */
function accountRow({ account, movement }: LeaveChange): Stored<LeaveAccountModel> {
  const { requests: _, settlement, ...fields } = account;
  const { reservedHalfDays, approvedHalfDays } = movement.balance;
  const { lastDay = null, remainingHalfDays = null, settleTime = null } = settlement ?? {};
  return { ...fields, reservedHalfDays, approvedHalfDays, lastDay, remainingHalfDays, settleTime };
}

function movementRow(account: LeaveAccount, movement: LeaveMovement): Stored<LeaveMovementModel> {
  const { balance, ...fields } = movement;
  const { availableHalfDays: _, ...stored } = balance;
  return { ...fields, ...stored, accountId: account.id, tenantId: account.tenantId };
}
