-- Failed sign-ins now slow the next attempt down instead of locking the
-- account (services/identity/account/sign-in-throttle.ts). The waits count
-- from the last failure, kept here. No semicolon in comments (the driver
-- adapter splits a migration at each).
ALTER TABLE "accounts" ADD COLUMN "last_failure_time" TIMESTAMPTZ(3);

-- Only the old rule ever set "locked" (no method sets it), so no
-- administrator chose any of these locks, and an attacker who knew the login
-- name may have caused them. They return to active with their failure count
-- kept: a run of 5 or more failures still makes the next attempt wait, counted
-- from the lock (their last change, when the last counted failure happened).
-- The version moves on, so an etag read while locked is stale.
UPDATE "accounts"
SET "status" = 'active',
    "last_failure_time" = "update_time",
    "version" = "version" + 1,
    "update_time" = CURRENT_TIMESTAMP
WHERE "status" = 'locked';
