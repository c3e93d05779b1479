-- A leave account can be settled and closed (SettleLeaveAccount, when its
-- employee leaves): its status, and the settlement it closed with.
-- Existing accounts are all open.
ALTER TABLE "leave_accounts" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'open',
ADD COLUMN "last_day" DATE,
ADD COLUMN "remaining_half_days" INTEGER,
ADD COLUMN "settle_time" TIMESTAMPTZ(3);

-- Hand-written (Prisma has no CHECK constraints), see 20261201085158_check_constraints.
-- No semicolon in comments (the driver adapter splits at each).
-- leave-account.ts: LeaveAccountStatus. A closed account has its settlement,
-- an open one none. The days left at settlement are never negative.
ALTER TABLE "leave_accounts"
    ADD CONSTRAINT "leave_accounts_status_check" CHECK ("status" IN ('open', 'closed')),
    ADD CONSTRAINT "leave_accounts_settlement_check" CHECK (
        CASE WHEN "status" = 'closed'
             THEN "last_day" IS NOT NULL AND "remaining_half_days" >= 0 AND "settle_time" IS NOT NULL
             ELSE "last_day" IS NULL AND "remaining_half_days" IS NULL AND "settle_time" IS NULL END
    );

-- leave-account.ts: MovementKind gains 'settled' (the days left, moving nothing).
ALTER TABLE "leave_movements" DROP CONSTRAINT "leave_movements_kind_check";
ALTER TABLE "leave_movements"
    ADD CONSTRAINT "leave_movements_kind_check" CHECK (
        "kind" IN ('opened', 'accrued', 'reserved', 'released', 'taken', 'restored', 'settled')
    );
