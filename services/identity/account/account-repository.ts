import type { Account as AccountRow } from "../../../generated/prisma/identity/client.js";
import { isUniqueViolation } from "../../../runtime/db/prisma-errors.js";
import { type IdempotencyKey, recordResult } from "../../../runtime/db/run-once.js";
import { TRANSACTION_OPTIONS } from "../../../runtime/db/transactions.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import type { IdentityDatabase, IdentityTransaction } from "../identity-database.js";
import { type Account, type AccountStatus, viewOf } from "./account.js";
import type { Role } from "./roles.js";

/** List filters; each one set narrows the list (AND). */
export interface AccountFilter {
  status: AccountStatus | undefined;
  role: Role | undefined;
}

/**
 * Loads and saves Account aggregates; every query is scoped by tenant. The
 * idempotency snapshot of a command is the account without its password hash,
 * so the hash lives in one row only and is never replayed to a client.
 */
export class AccountRepository {
  constructor(private readonly db: IdentityDatabase | IdentityTransaction) {}

  async get(tenantId: string, id: string): Promise<Account | undefined> {
    const row = await this.db.account.findUnique({ where: { id, tenantId } });
    return row ? toDomain(row) : undefined;
  }

  /** `loginName` must be normalized (trimmed, lower-case) like the stored ones. */
  async findByLoginName(tenantId: string, loginName: string): Promise<Account | undefined> {
    const row = await this.db.account.findUnique({ where: { tenantId_loginName: { tenantId, loginName } } });
    return row ? toDomain(row) : undefined;
  }

  /** One page in id order (ids are time-ordered UUIDv7, so this is creation order). */
  async list(tenantId: string, filter: AccountFilter, afterId: string | undefined, limit: number) {
    const rows = await this.db.account.findMany({
      where: {
        tenantId,
        ...(filter.status !== undefined && { status: filter.status }),
        ...(filter.role !== undefined && { roles: { has: filter.role } }),
        ...(afterId !== undefined && { id: { gt: afterId } }),
      },
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map(toDomain);
  }

  /** Inserts a new account and records the request in the same transaction. */
  async insert(account: Account, key: IdempotencyKey): Promise<void> {
    await this.inTransaction(async (tx) => {
      await recordResult(tx, key, viewOf(account));
      await tx.account.create({ data: toRow(account) }).catch(translateUniqueViolation);
    });
  }

  /** Saves a changed account if it is still at `expectedVersion`; ABORTED otherwise. */
  async update(account: Account, expectedVersion: number, key: IdempotencyKey): Promise<void> {
    await this.inTransaction(async (tx) => {
      await recordResult(tx, key, viewOf(account));
      if (!(await saveIfAt(tx, account, expectedVersion))) throw etagMismatch(`accounts/${account.id}`);
    });
  }

  /**
   * Saves the outcome of a password check (counter, lock) if the account is
   * still at `expectedVersion`. No request id: a verification is not
   * idempotent. False when someone changed the account first.
   */
  saveVerification(account: Account, expectedVersion: number): Promise<boolean> {
    return saveIfAt(this.db, account, expectedVersion);
  }

  /** Whether the stored account is still this version: a decision taken on it still holds. */
  async isCurrent(account: Account): Promise<boolean> {
    const { tenantId, id, version } = account;
    return (await this.db.account.count({ where: { tenantId, id, version } })) === 1;
  }

  private inTransaction(work: (tx: IdentityTransaction) => Promise<void>): Promise<void> {
    return "$transaction" in this.db ? this.db.$transaction(work, TRANSACTION_OPTIONS) : work(this.db);
  }
}

async function saveIfAt(db: IdentityDatabase | IdentityTransaction, account: Account, version: number) {
  const { count } = await db.account
    .updateMany({ where: { tenantId: account.tenantId, id: account.id, version }, data: toRow(account) })
    .catch(translateUniqueViolation);
  return count === 1;
}

function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error)) {
    throw alreadyExists("LOGIN_NAME_TAKEN", "another account of the tenant already has this login name", "login_name");
  }
  throw error;
}

function toDomain(row: AccountRow): Account {
  return {
    ...row,
    roles: row.roles as Role[],
    status: row.status as AccountStatus,
    passwordChangeTime: row.passwordChangeTime.toISOString(),
    createTime: row.createTime.toISOString(),
    updateTime: row.updateTime.toISOString(),
  };
}

function toRow(a: Account): AccountRow {
  return {
    ...a,
    passwordChangeTime: new Date(a.passwordChangeTime),
    createTime: new Date(a.createTime),
    updateTime: new Date(a.updateTime),
  };
}
