import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeExpiredRecords } from "../../runtime/db/idempotency-retention.js";
import { openSqlDatabase, type SqlDatabase, sql } from "../../runtime/db/sql.js";
import { cloneServiceDatabase, type DatabaseUnderTest } from "../support/database-under-test.js";

let database: DatabaseUnderTest;
let db: SqlDatabase;

beforeAll(async () => {
  database = await cloneServiceDatabase("people");
  db = openSqlDatabase(database.url, 2);
});

afterAll(async () => {
  await db.end();
  await database.drop();
});

const INSERT = sql(`
  INSERT INTO idempotency_records (tenant_id, request_id, fingerprint, response, create_time)
  VALUES ('acme', $1, 'f', '{}', now() - make_interval(hours => $2))`);
const REMAINING = sql("SELECT request_id FROM idempotency_records ORDER BY request_id");

describe("idempotency record retention", () => {
  it("forgets request ids older than the retention, in batches, and keeps the recent ones", async () => {
    for (const [id, ageHours] of [
      ["old-1", 200],
      ["old-2", 170],
      ["old-3", 169],
      ["recent", 1],
      ["day-6", 150],
    ] as const) {
      await db.count(INSERT, [id, ageHours]);
    }
    const purged = await purgeExpiredRecords(db, { retentionMs: 168 * 3_600_000, intervalMs: 0, batchSize: 2 });
    expect(purged).toBe(3);
    expect((await db.rows<{ request_id: string }>(REMAINING)).map((r) => r.request_id)).toEqual(["day-6", "recent"]);
  });
});
