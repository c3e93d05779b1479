import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloneServiceDatabase, type DatabaseUnderTest } from "../support/database-under-test.js";

// The CHECK constraints of the *_check_constraints migrations, on a real
// migrated database through raw pg: each refuses a row the domain never
// writes (SQLSTATE 23514, named), and rows the domain does write pass.

const CHECK_VIOLATION = "23514";

interface Service {
  db: DatabaseUnderTest;
  client: pg.Client;
}

async function open(service: string, seed: string[]): Promise<Service> {
  const db = await cloneServiceDatabase(service);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  for (const sql of seed) await client.query(sql);
  return { db, client };
}

async function close(s: Service | undefined) {
  await s?.client.end();
  await s?.db.drop();
}

/** The statement fails on `constraint` (and no other), changing nothing. */
async function expectRefused(s: Service, constraint: string, sql: string) {
  await expect(s.client.query(sql)).rejects.toMatchObject({ code: CHECK_VIOLATION, constraint });
}

/** The statements pass, then are rolled back so the seed stays as it is. */
async function expectAccepted(s: Service, ...statements: string[]) {
  await s.client.query("BEGIN");
  try {
    for (const sql of statements) await s.client.query(sql);
  } finally {
    await s.client.query("ROLLBACK");
  }
}

const tenant = `t-${randomUUID()}`;
const [dep, emp, acc, job, app, leave, req, ses] = Array.from({ length: 8 }, () => randomUUID());
const now = "'2024-01-15T09:00:00Z'";

describe("people", () => {
  let s: Service;
  beforeAll(async () => {
    s = await open("people", [
      `INSERT INTO departments VALUES ('${dep}', '${tenant}', 'Eng', 'ENG', NULL, NULL, 'active', 1, ${now}, ${now})`,
      `INSERT INTO employees VALUES ('${emp}', '${tenant}', 'Ada', 'Lovelace', 'ada@example.com', '', '${dep}', NULL,
         '2024-01-15', 'pending', NULL, 1, ${now}, ${now})`,
    ]);
  });
  afterAll(() => close(s));

  it.each([
    ["departments_status_check", `UPDATE departments SET status = 'deleted'`],
    ["departments_version_check", `UPDATE departments SET version = 0`],
    ["employees_status_check", `UPDATE employees SET status = 'retired'`],
    ["employees_version_check", `UPDATE employees SET version = 0`],
    ["employees_termination_check", `UPDATE employees SET status = 'terminated'`],
    ["employees_termination_check", `UPDATE employees SET termination_date = '2024-06-30'`],
    ["employees_termination_check", `UPDATE employees SET status = 'terminated', termination_date = '2024-01-14'`],
  ])("%s refuses: %s", (constraint, sql) => expectRefused(s, constraint, sql));

  it("accepts what the domain writes", () =>
    expectAccepted(
      s,
      `UPDATE departments SET status = 'archived', version = 2`,
      `UPDATE employees SET status = 'active', version = 2`,
      `UPDATE employees SET status = 'terminated', termination_date = '2024-01-15', version = 3`,
    ));
});

describe("identity", () => {
  let s: Service;
  beforeAll(async () => {
    s = await open("identity", [
      `INSERT INTO accounts VALUES ('${acc}', '${tenant}', 'ada@example.com', NULL, 'Ada', '{employee}', 'active', 0,
         'scrypt$x', ${now}, 1, ${now}, ${now})`,
    ]);
  });
  afterAll(() => close(s));

  it.each([
    ["accounts_status_check", `UPDATE accounts SET status = 'banned'`],
    ["accounts_failed_verifications_check", `UPDATE accounts SET failed_verifications = -1`],
    ["accounts_version_check", `UPDATE accounts SET version = 0`],
    ["accounts_roles_check", `UPDATE accounts SET roles = '{}'`],
    ["accounts_roles_check", `UPDATE accounts SET roles = NULL`],
    ["accounts_roles_check", `UPDATE accounts SET roles = '{employee,root}'`],
    ["accounts_roles_check", `UPDATE accounts SET roles = ARRAY['employee', NULL]`],
  ])("%s refuses: %s", (constraint, sql) => expectRefused(s, constraint, sql));

  it("accepts what the domain writes", () =>
    expectAccepted(
      s,
      `UPDATE accounts SET roles = '{employee,manager,hr_admin,tenant_admin,recruiter}', version = 2`,
      `UPDATE accounts SET status = 'locked', failed_verifications = 5, version = 3`,
      `UPDATE accounts SET status = 'disabled', version = 4`,
    ));
});

describe("sessionstore", () => {
  let s: Service;
  const [hash, used] = ["a", "b"].map((digit) => digit.repeat(64));
  const later = "'2024-02-14T09:00:00Z'";
  beforeAll(async () => {
    s = await open("identity", [
      `INSERT INTO sessions VALUES ('${ses}', '${tenant}', '${acc}', '${hash}', 'active', NULL, 0, ${later}, ${now}, ${now})`,
    ]);
  });
  afterAll(() => close(s));

  it.each([
    ["sessions_state_check", `UPDATE sessions SET state = 'paused'`],
    ["sessions_revoke_reason_check", `UPDATE sessions SET revoke_reason = 'logout'`],
    ["sessions_revoke_reason_check", `UPDATE sessions SET state = 'revoked'`],
    ["sessions_revoke_reason_check", `UPDATE sessions SET state = 'revoked', revoke_reason = 'bored'`],
    ["sessions_current_token_hash_check", `UPDATE sessions SET current_token_hash = 'the-token-itself'`],
    ["sessions_current_token_hash_check", `UPDATE sessions SET current_token_hash = '${"A".repeat(64)}'`],
    ["sessions_rotation_count_check", `UPDATE sessions SET rotation_count = -1`],
    ["sessions_expire_time_check", `UPDATE sessions SET expire_time = create_time`],
    ["sessions_update_time_check", `UPDATE sessions SET update_time = '2024-01-01T00:00:00Z'`],
    [
      "used_refresh_tokens_token_hash_check",
      `INSERT INTO used_refresh_tokens VALUES ('${tenant}', 'the-token-itself', '${ses}', ${now})`,
    ],
  ])("%s refuses: %s", (constraint, sql) => expectRefused(s, constraint, sql));

  it("accepts what the domain writes", () =>
    expectAccepted(
      s,
      `INSERT INTO used_refresh_tokens VALUES ('${tenant}', '${used}', '${ses}', ${now})`,
      `UPDATE sessions SET rotation_count = 1, update_time = ${later}`,
      `UPDATE sessions SET state = 'revoked', revoke_reason = 'token_reused'`,
      `UPDATE sessions SET revoke_reason = 'logout'`,
    ));
});

describe("talent", () => {
  let s: Service;
  beforeAll(async () => {
    s = await open("talent", [
      `INSERT INTO job_openings VALUES ('${job}', '${tenant}', 'Engineer', '${dep}', 1, '', 'draft', 1, ${now}, ${now})`,
      `INSERT INTO applications VALUES ('${app}', '${tenant}', '${job}', 'Ada', 'ada@example.com', 'applied', 1,
         ${now}, ${now})`,
      `INSERT INTO application_stage_changes VALUES ('${app}', 1, '${tenant}', NULL, 'applied', 'u1', ${now}, '')`,
    ]);
  });
  afterAll(() => close(s));

  const change = (seq: number, from: string | null, to: string) =>
    `INSERT INTO application_stage_changes VALUES ('${app}', ${seq}, '${tenant}', ${from === null ? "NULL" : `'${from}'`},
       '${to}', 'u1', ${now}, '')`;

  it.each([
    ["job_openings_status_check", `UPDATE job_openings SET status = 'archived'`],
    ["job_openings_headcount_check", `UPDATE job_openings SET headcount = 0`],
    ["job_openings_version_check", `UPDATE job_openings SET version = 0`],
    ["applications_stage_check", `UPDATE applications SET stage = 'ghosted'`],
    ["applications_version_check", `UPDATE applications SET version = 0`],
    ["application_stage_changes_to_stage_check", `UPDATE application_stage_changes SET to_stage = 'ghosted'`],
    ["application_stage_changes_from_stage_check", change(2, "ghosted", "screening")],
    ["application_stage_changes_seq_check", change(2, null, "screening")],
    ["application_stage_changes_seq_check", `UPDATE application_stage_changes SET from_stage = 'applied'`],
    ["application_stage_changes_seq_check", `UPDATE application_stage_changes SET seq = 0`],
  ])("%s refuses: %s", (constraint, sql) => expectRefused(s, constraint, sql));

  it("accepts what the domain writes", () =>
    expectAccepted(
      s,
      `UPDATE job_openings SET status = 'on_hold', headcount = 1000, version = 2`,
      `UPDATE applications SET stage = 'screening', version = 2`,
      change(2, "applied", "screening"),
    ));
});

describe("timeoff", () => {
  let s: Service;
  // An annual account of 10 days with one pending request of one day (2024-03-04, a Monday).
  const movement = (seq: number, kind: string, amount: number, reserved: number) =>
    `INSERT INTO leave_movements VALUES ('${leave}', ${seq}, '${tenant}', '${kind}', ${amount}, NULL, '', 20, 0,
       ${reserved}, 0, ${now})`;
  beforeAll(async () => {
    s = await open("timeoff", [
      `INSERT INTO leave_accounts VALUES ('${leave}', '${tenant}', '${emp}', 'annual', 2024, 20, 0, 2, 0, 2, ${now}, ${now})`,
      `INSERT INTO leave_requests VALUES ('${req}', '${tenant}', '${leave}', '2024-03-04', '2024-03-04', false, 2, '',
         'pending', ${now}, ${now})`,
      movement(1, "opened", 20, 0),
      movement(2, "reserved", 2, 2),
    ]);
  });
  afterAll(() => close(s));

  it.each([
    ["leave_accounts_leave_type_check", `UPDATE leave_accounts SET leave_type = 'vacation'`],
    [
      "leave_accounts_entitlement_half_days_check",
      `UPDATE leave_accounts SET entitlement_half_days = -1, accrued_half_days = 5`,
    ],
    ["leave_accounts_accrued_half_days_check", `UPDATE leave_accounts SET accrued_half_days = -1`],
    ["leave_accounts_reserved_half_days_check", `UPDATE leave_accounts SET reserved_half_days = -1`],
    ["leave_accounts_approved_half_days_check", `UPDATE leave_accounts SET approved_half_days = -1`],
    ["leave_accounts_balance_check", `UPDATE leave_accounts SET reserved_half_days = 15, approved_half_days = 6`],
    ["leave_accounts_version_check", `UPDATE leave_accounts SET version = 0`],
    ["leave_requests_status_check", `UPDATE leave_requests SET status = 'maybe'`],
    ["leave_requests_dates_check", `UPDATE leave_requests SET end_date = '2024-03-01'`],
    ["leave_requests_amount_half_days_check", `UPDATE leave_requests SET amount_half_days = 0`],
    ["leave_requests_amount_half_days_check", `UPDATE leave_requests SET amount_half_days = 3`],
    ["leave_requests_amount_half_days_check", `UPDATE leave_requests SET half_day = true`],
    [
      "leave_requests_amount_half_days_check",
      `UPDATE leave_requests SET half_day = true, amount_half_days = 1, end_date = '2024-03-05'`,
    ],
    ["leave_movements_kind_check", `UPDATE leave_movements SET kind = 'gift'`],
    ["leave_movements_sequence_check", movement(0, "opened", 20, 0)],
    ["leave_movements_amount_half_days_check", `UPDATE leave_movements SET amount_half_days = -2`],
    ["leave_movements_balance_check", `UPDATE leave_movements SET reserved_half_days = 21`],
    ["leave_movements_balance_check", `UPDATE leave_movements SET entitlement_half_days = -1`],
  ])("%s refuses: %s", (constraint, sql) => expectRefused(s, constraint, sql));

  it("accepts what the domain writes", () =>
    expectAccepted(
      s,
      // The request approved, and the whole rest of the balance reserved: nothing left, nothing overdrawn.
      `UPDATE leave_requests SET status = 'approved'`,
      `UPDATE leave_accounts SET reserved_half_days = 18, approved_half_days = 2, version = 4`,
      `UPDATE leave_requests SET half_day = true, amount_half_days = 1`,
      movement(3, "taken", 2, 0),
      movement(4, "reserved", 18, 20),
    ));
});
