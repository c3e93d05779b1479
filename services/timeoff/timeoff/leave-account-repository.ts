import type {
  LeaveAccount as LeaveAccountRow,
  LeaveRequest as LeaveRequestRow,
  Prisma,
} from "../../../generated/prisma/timeoff/client.js";
import { isUniqueViolation } from "../../../runtime/db/prisma-errors.js";
import { type IdempotencyKey, recordResult } from "../../../runtime/db/run-once.js";
import { TRANSACTION_OPTIONS } from "../../../runtime/db/transactions.js";
import { alreadyExists, etagMismatch } from "../../../runtime/domain/domain-error.js";
import type { TimeoffDatabase, TimeoffTransaction } from "../timeoff-database.js";
import { accountSubject, type LeaveAccount, type LeaveChange, type LeaveType } from "./leave-account.js";
import { LeaveMovementRepository } from "./leave-movement-repository.js";
import { LeaveRequestRepository, toLeaveRequest } from "./leave-request-repository.js";

/** List filters; each one set narrows the list (AND). */
export interface LeaveAccountFilter {
  employeeId: string | undefined;
  year: number | undefined;
}

const WITH_REQUESTS = { requests: { orderBy: { id: "asc" } } } satisfies Prisma.LeaveAccountInclude;

/**
 * Loads and saves LeaveAccount aggregates together with their leave requests
 * (child rows owned by the account) and appends their movements; every query
 * is scoped by tenant.
 */
export class LeaveAccountRepository {
  constructor(private readonly db: TimeoffDatabase | TimeoffTransaction) {}

  /** Runs `work` in one transaction, with a repository bound to it. */
  transaction<T>(work: (repository: LeaveAccountRepository) => Promise<T>): Promise<T> {
    if (!("$transaction" in this.db)) return work(this);
    return this.db.$transaction((tx) => work(new LeaveAccountRepository(tx)), TRANSACTION_OPTIONS);
  }

  /**
   * Locks the account's row until the transaction ends, so commands on one
   * account run one after another, each on the state the previous one
   * committed: the balance is checked against the latest state and two
   * requests can never both spend the last day. False when the tenant has no
   * such account.
   */
  async lock(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.db.$queryRawUnsafe<unknown[]>(
      "SELECT 1 AS locked FROM leave_accounts WHERE tenant_id = $1 AND id = $2::uuid FOR UPDATE",
      tenantId,
      id,
    );
    return rows.length > 0;
  }

  async get(tenantId: string, id: string): Promise<LeaveAccount | undefined> {
    const row = await this.db.leaveAccount.findUnique({ where: { id, tenantId }, include: WITH_REQUESTS });
    return row ? toDomain(row) : undefined;
  }

  async exists(tenantId: string, id: string): Promise<boolean> {
    return (await this.db.leaveAccount.count({ where: { id, tenantId } })) > 0;
  }

  /** One page in id order (ids are time-ordered UUIDv7, so this is creation order). */
  async list(tenantId: string, filter: LeaveAccountFilter, afterId: string | undefined, limit: number) {
    const rows = await this.db.leaveAccount.findMany({
      where: {
        tenantId,
        ...(filter.employeeId !== undefined && { employeeId: filter.employeeId }),
        ...(filter.year !== undefined && { year: filter.year }),
        ...(afterId !== undefined && { id: { gt: afterId } }),
      },
      include: WITH_REQUESTS,
      orderBy: { id: "asc" },
      take: limit,
    });
    return rows.map(toDomain);
  }

  /** Inserts a new account with its first movement and records the request, in one transaction. */
  async insert(change: LeaveChange, key: IdempotencyKey): Promise<void> {
    await this.transaction(async (repository) => {
      await recordResult(repository.db, key, change);
      await repository.db.leaveAccount.create({ data: toRow(change) }).catch(translateUniqueViolation);
      await new LeaveMovementRepository(repository.db).append(change);
    });
  }

  /**
   * Saves a changed account if it is still at `before.version` (ABORTED
   * otherwise): the account row, its new or changed requests, the movement
   * and the idempotency record commit together or not at all.
   */
  async save(before: LeaveAccount, change: LeaveChange, key: IdempotencyKey): Promise<void> {
    const { account } = change;
    await this.transaction(async (repository) => {
      await recordResult(repository.db, key, change);
      const { count } = await repository.db.leaveAccount.updateMany({
        where: { tenantId: account.tenantId, id: account.id, version: before.version },
        data: toRow(change),
      });
      if (count === 0) throw etagMismatch(accountSubject(account.id));
      await new LeaveRequestRepository(repository.db).saveChanges(before, account);
      await new LeaveMovementRepository(repository.db).append(change);
    });
  }
}

function translateUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error)) {
    const message = "the employee already has a leave account of this type for this year";
    throw alreadyExists("LEAVE_ACCOUNT_EXISTS", message, "employee_id");
  }
  throw error;
}

function toDomain(row: LeaveAccountRow & { requests: LeaveRequestRow[] }): LeaveAccount {
  const { requests, tenantId, employeeId, leaveType, year, entitlementHalfDays, accruedHalfDays, version } = row;
  return {
    ...{ id: row.id, tenantId, employeeId, leaveType: leaveType as LeaveType, year },
    ...{ entitlementHalfDays, accruedHalfDays, requests: requests.map(toLeaveRequest), version },
    ...{ createTime: row.createTime.toISOString(), updateTime: row.updateTime.toISOString() },
  };
}

/** The account row, with the balance the movement computed: reserved and approved are stored for queries. */
function toRow({ account, movement }: LeaveChange): LeaveAccountRow {
  const { requests: _owned, ...fields } = account;
  const { reservedHalfDays, approvedHalfDays } = movement.balance;
  const times = { createTime: new Date(account.createTime), updateTime: new Date(account.updateTime) };
  return { ...fields, reservedHalfDays, approvedHalfDays, ...times };
}
