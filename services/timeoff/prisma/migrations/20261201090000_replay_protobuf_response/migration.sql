-- Replays are now the protobuf response of the first call (its JSON form),
-- written by the transaction that claimed the request id. Records of the
-- previous form held domain snapshots, which no longer replay: they are
-- dropped (the platform had no production data when this changed).
DELETE FROM "idempotency_records";
ALTER TABLE "idempotency_records" DROP COLUMN "result";
ALTER TABLE "idempotency_records" ADD COLUMN "response" JSONB;
