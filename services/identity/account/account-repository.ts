import type { Account as AccountModel } from "../../../generated/prisma/identity/client.js";
import { ErrorReason } from "../../../generated/proto/hr/identity/v1/error_reason.js";
import { isUniqueViolation, type Sql, sql } from "../../../runtime/db/sql.js";
import { type Stored, Table, timestamp } from "../../../runtime/db/table.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import { type Outbox, recordIn } from "../../../runtime/events/outbox.js";
import type { Account, AccountStatus } from "./account.js";
import { ACCOUNT_EVENTS, changeEvents, createdEvents } from "./account-events.js";
import type { Role } from "./roles.js";

/** List filters; each one set narrows the list (AND). */
export interface AccountFilter {
  status: AccountStatus | undefined;
  role: Role | undefined;
  /** The login of this employee (lower case): at most one per tenant. */
  employeeId: string | undefined;
}

const accounts = new Table<AccountModel>("accounts", {
  id: "id",
  tenantId: "tenant_id",
  loginName: "login_name",
  employeeId: "employee_id",
  displayName: "display_name",
  roles: "roles",
  status: "status",
  failedVerifications: "failed_verifications",
  lastFailureTime: timestamp("last_failure_time"),
  passwordHash: "password_hash",
  passwordChangeTime: timestamp("password_change_time"),
  version: "version",
  createTime: timestamp("create_time"),
  updateTime: timestamp("update_time"),
});

const GET = sql(`SELECT ${accounts.selectList()} FROM accounts WHERE tenant_id = $1 AND id = $2::uuid`);
const GET_FOR_UPDATE = sql(
  `SELECT ${accounts.selectList()} FROM accounts WHERE tenant_id = $1 AND id = $2::uuid FOR UPDATE`,
);
const BY_LOGIN_NAME = sql(`SELECT ${accounts.selectList()} FROM accounts WHERE tenant_id = $1 AND login_name = $2`);
const IS_AT_VERSION = sql("SELECT 1 FROM accounts WHERE tenant_id = $1 AND id = $2::uuid AND version = $3");
// Each filter is either null (any) or a value; ids are time-ordered UUIDv7, so id order is creation order.
const LIST = sql(`
  SELECT ${accounts.selectList()} FROM accounts
  WHERE tenant_id = $1
    AND ($2::text IS NULL OR status = $2::text)
    AND ($3::text IS NULL OR $3::text = ANY(roles))
    AND ($4::uuid IS NULL OR id > $4::uuid)
    AND ($6::uuid IS NULL OR employee_id = $6::uuid)
  ORDER BY id LIMIT $5`);
const INSERT = accounts.insertStatement();
const UPDATE = accounts.versionedUpdateStatement();

/**
 * Loads and saves Account aggregates; every query is scoped by tenant. Built
 * on the pool for reads, or on a transaction inside a command. The password
 * hash lives in this table only: replays hold the protobuf response, which
 * has no hash.
 */
export class AccountRepository {
  constructor(
    private readonly sql: Sql,
    /** The command's outbox, where saves record their events; none for reads and credential checks. */
    private readonly outbox?: Outbox,
  ) {}

  async get(tenantId: string, id: string): Promise<Account | undefined> {
    const [row] = await this.sql.rows<Stored<AccountModel>>(GET, [tenantId, id]);
    return row && toDomain(row);
  }

  /** Like `get`, and locks the row until the transaction ends: concurrent writers of the account wait. */
  async getForUpdate(tenantId: string, id: string): Promise<Account | undefined> {
    const [row] = await this.sql.rows<Stored<AccountModel>>(GET_FOR_UPDATE, [tenantId, id]);
    return row && toDomain(row);
  }

  /** `loginName` must be normalized (trimmed, lower-case) like the stored ones. */
  async findByLoginName(tenantId: string, loginName: string): Promise<Account | undefined> {
    const [row] = await this.sql.rows<Stored<AccountModel>>(BY_LOGIN_NAME, [tenantId, loginName]);
    return row && toDomain(row);
  }

  /** One page in creation order, after `afterId` when given. */
  async list(tenantId: string, filter: AccountFilter, afterId: string | undefined, limit: number) {
    const { status, role, employeeId } = filter;
    const values = [tenantId, status ?? null, role ?? null, afterId ?? null, limit, employeeId ?? null];
    return (await this.sql.rows<Stored<AccountModel>>(LIST, values)).map(toDomain);
  }

  async insert(account: Account): Promise<void> {
    await this.sql.count(INSERT, accounts.valuesOf(account)).catch(translateUniqueViolation);
    await recordIn(this.outbox, ACCOUNT_EVENTS, account, createdEvents(account));
  }

  /** Saves a changed account if it is still at the version of `before`; ABORTED otherwise. */
  async update(account: Account, before: Account): Promise<void> {
    if (!(await this.saveIfAt(account, before.version))) throw etagMismatch(`accounts/${account.id}`);
    await recordIn(this.outbox, ACCOUNT_EVENTS, account, changeEvents(account, before));
  }

  /**
   * Saves a changed account if it is still at `expectedVersion`; false when
   * someone changed it first. No command changes the login name, so no
   * unique violation to translate here.
   */
  async saveIfAt(account: Account, expectedVersion: number): Promise<boolean> {
    const values = [...accounts.valuesOf(account), expectedVersion];
    return (await this.sql.count(UPDATE, values)) === 1;
  }

  /** Whether the stored account is still this version: a decision taken on it still holds. */
  async isCurrent(account: Account): Promise<boolean> {
    const { tenantId, id, version } = account;
    return (await this.sql.rows(IS_AT_VERSION, [tenantId, id, version])).length === 1;
  }
}

function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error, "accounts_tenant_id_login_name_key")) {
    throw alreadyExists(
      ErrorReason.LOGIN_NAME_TAKEN,
      "another account of the tenant already has this login name",
      "login_name",
    );
  }
  if (isUniqueViolation(error, "accounts_tenant_id_employee_id_key")) {
    const message = "another account of the tenant is linked to this employee: one login per employee";
    throw alreadyExists(ErrorReason.EMPLOYEE_ALREADY_HAS_LOGIN, message, "employee_id");
  }
  throw error;
}

const toDomain = (row: Stored<AccountModel>): Account => ({
  ...row,
  roles: row.roles as Role[],
  status: row.status as AccountStatus,
});
