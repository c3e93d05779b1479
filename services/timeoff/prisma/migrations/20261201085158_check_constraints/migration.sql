-- Hand-written (created empty with `prisma migrate dev --create-only`): Prisma 6's
-- schema language has no CHECK constraints, so schema.prisma does not declare
-- these and `migrate dev` leaves them alone (it reads them, but does not diff them).
-- No semicolon in comments: @prisma/adapter-pg 6.19 runs a migration by
-- splitting it at every semicolon, comments included.
--
-- The database refuses what the domain already never writes, so a bug or a
-- hand-made UPDATE cannot store it either (SQLSTATE 23514). Each one mirrors a
-- rule of services/timeoff/timeoff/*.ts. Change both together. Policy limits
-- (MIN_YEAR/MAX_YEAR, MAX_ENTITLEMENT_HALF_DAYS, MAX_CREDIT_HALF_DAYS, ...)
-- stay in the code only.

-- leave-account.ts `record`, which every command ends with, refuses a negative
-- reserved, approved or available (= entitlement + accrued - reserved -
-- approved) balance. The row stores that balance. Entitlement is opened at 0
-- or more and never changes. Accrued starts at 0 and grows by 1 or more.
-- Opened at version 0 and recorded, so the first stored version is 1.
ALTER TABLE "leave_accounts"
    ADD CONSTRAINT "leave_accounts_leave_type_check" CHECK ("leave_type" IN ('annual', 'sick', 'unpaid', 'parental')),
    ADD CONSTRAINT "leave_accounts_entitlement_half_days_check" CHECK ("entitlement_half_days" >= 0),
    ADD CONSTRAINT "leave_accounts_accrued_half_days_check" CHECK ("accrued_half_days" >= 0),
    ADD CONSTRAINT "leave_accounts_reserved_half_days_check" CHECK ("reserved_half_days" >= 0),
    ADD CONSTRAINT "leave_accounts_approved_half_days_check" CHECK ("approved_half_days" >= 0),
    ADD CONSTRAINT "leave_accounts_balance_check" CHECK (
        "reserved_half_days" + "approved_half_days" <= "entitlement_half_days" + "accrued_half_days"
    ),
    ADD CONSTRAINT "leave_accounts_version_check" CHECK ("version" >= 1);

-- leave-requests.ts: LeaveRequestStatus. end_date not before start_date. A half
-- day starts and ends on the same date and takes 1 half day. Other requests
-- take 2 half days per working day, at least one.
ALTER TABLE "leave_requests"
    ADD CONSTRAINT "leave_requests_status_check" CHECK ("status" IN ('pending', 'approved', 'rejected', 'cancelled')),
    ADD CONSTRAINT "leave_requests_dates_check" CHECK ("end_date" >= "start_date"),
    ADD CONSTRAINT "leave_requests_amount_half_days_check" CHECK (
        "amount_half_days" > 0
        AND CASE WHEN "half_day" THEN "start_date" = "end_date" AND "amount_half_days" = 1
                 ELSE "amount_half_days" % 2 = 0 END
    );

-- leave-account.ts: MovementKind. The sequence is the account version the
-- command produced (1, 2, ...). The amount is the entitlement opened (0 or
-- more) or the days accrued, reserved, released, taken or restored (1 or
-- more). The balance it left behind obeys the rules of leave_accounts.
ALTER TABLE "leave_movements"
    ADD CONSTRAINT "leave_movements_kind_check" CHECK (
        "kind" IN ('opened', 'accrued', 'reserved', 'released', 'taken', 'restored')
    ),
    ADD CONSTRAINT "leave_movements_sequence_check" CHECK ("sequence" >= 1),
    ADD CONSTRAINT "leave_movements_amount_half_days_check" CHECK ("amount_half_days" >= 0),
    ADD CONSTRAINT "leave_movements_balance_check" CHECK (
        "entitlement_half_days" >= 0
        AND "accrued_half_days" >= 0
        AND "reserved_half_days" >= 0
        AND "approved_half_days" >= 0
        AND "reserved_half_days" + "approved_half_days" <= "entitlement_half_days" + "accrued_half_days"
    );
