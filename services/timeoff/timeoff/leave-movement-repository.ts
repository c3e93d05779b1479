import type { LeaveMovement as LeaveMovementRow } from "../../../generated/prisma/timeoff/client.js";
import type { TimeoffDatabase, TimeoffTransaction } from "../timeoff-database.js";
import type { LeaveChange, LeaveMovement, MovementKind } from "./leave-account.js";

/**
 * The history of leave accounts: append-only rows keyed by (account,
 * sequence), where the sequence is the account version a command produced,
 * so the history of an account has no gaps and no duplicates. Written only
 * inside the transaction that saves the account (LeaveAccountRepository).
 */
export class LeaveMovementRepository {
  constructor(private readonly db: TimeoffDatabase | TimeoffTransaction) {}

  /** The movements of an account after `afterSequence`, in sequence order. */
  async list(tenantId: string, accountId: string, afterSequence: number, limit: number): Promise<LeaveMovement[]> {
    const rows = await this.db.leaveMovement.findMany({
      where: { tenantId, accountId, sequence: { gt: afterSequence } },
      orderBy: { sequence: "asc" },
      take: limit,
    });
    return rows.map(toDomain);
  }

  /** Appends the movement of a command; the caller runs it in the transaction that saves the account. */
  async append({ account, movement }: LeaveChange): Promise<void> {
    const { balance } = movement;
    await this.db.leaveMovement.create({
      data: {
        accountId: account.id,
        sequence: movement.sequence,
        tenantId: account.tenantId,
        kind: movement.kind,
        amountHalfDays: movement.amountHalfDays,
        leaveRequestId: movement.leaveRequestId,
        reason: movement.reason,
        entitlementHalfDays: balance.entitlementHalfDays,
        accruedHalfDays: balance.accruedHalfDays,
        reservedHalfDays: balance.reservedHalfDays,
        approvedHalfDays: balance.approvedHalfDays,
        createTime: new Date(movement.createTime),
      },
    });
  }
}

function toDomain(row: LeaveMovementRow): LeaveMovement {
  const { entitlementHalfDays, accruedHalfDays, reservedHalfDays, approvedHalfDays } = row;
  const availableHalfDays = entitlementHalfDays + accruedHalfDays - reservedHalfDays - approvedHalfDays;
  return {
    sequence: row.sequence,
    kind: row.kind as MovementKind,
    amountHalfDays: row.amountHalfDays,
    leaveRequestId: row.leaveRequestId,
    reason: row.reason,
    balance: { entitlementHalfDays, accruedHalfDays, reservedHalfDays, approvedHalfDays, availableHalfDays },
    createTime: row.createTime.toISOString(),
  };
}
