import { createHash, randomUUID } from "node:crypto";
import { ClientError, Status } from "nice-grpc";
import type pg from "pg";
import { v7 as uuidv7 } from "uuid";
import type { Sql, Statement } from "../../../runtime/db/sql.js";
import { Outbox, recordIn } from "../../../runtime/events/outbox.js";
import { EMPLOYEE_EVENTS, hiredEvents } from "../../../services/people/employee/employee-events.js";
import { EchoDefinition } from "../echo/echo-definition.js";
import { grpcFrame, type RawChannel } from "../raw-grpc-client.js";
import type { PeopleSeed } from "../seed/people.js";
import { type Case, check } from "./case.js";

// The floors: what a call costs with nothing of ours in it. The echoes send a
// 36-byte id and get the same bytes back (GetEmployee's request is as large).
// The raw `pg` cases run in the load process on a pool of the service's size.

export function echoCase(name: string, server: string, channel: RawChannel): Case {
  const payload = Buffer.from(randomUUID());
  const frame = grpcFrame(payload);
  return {
    name,
    servers: [server],
    call: async () => check((await channel.unary(EchoDefinition.echo.path, frame)).equals(payload), "echo"),
  };
}

/**
 * What a refusal costs: GetEmployee on a channel whose calls carry a deadline
 * long past (x-deadline-ms alone, so grpc-js arms no timer), which admission
 * refuses with DEADLINE_EXCEEDED before any work, as it refuses most calls of
 * an overloaded server (see the overload case). Any other answer is an error.
 */
export function refusedCase(channel: RawChannel, path: string, frame: Buffer, servers: readonly string[]): Case {
  return {
    name: "GetEmployee refused unrun (deadline too close)",
    servers,
    call: async () => {
      try {
        await channel.unary(path, frame);
      } catch (error) {
        if (error instanceof ClientError && error.code === Status.DEADLINE_EXCEEDED) return;
        throw error;
      }
      check(false, "a call with no time left was served");
    },
  };
}

export function rawSelectCase(pool: pg.Pool, tenantId: string, seed: PeopleSeed): Case {
  const ids = seed.employeeIds;
  return {
    name: "raw pg: SELECT one employee",
    servers: [],
    call: async (i) => {
      const { rowCount } = await pool.query("SELECT * FROM employees WHERE tenant_id = $1 AND id = $2", [
        tenantId,
        ids[(i * 7919) % ids.length],
      ]);
      check(rowCount === 1, "raw pg: employee not found");
    },
  };
}

export interface RawHireOptions {
  /** Also record EmployeeHired through the outbox (runtime/events/outbox.ts), in the same transaction. */
  outbox?: boolean;
  /** Request ids and work emails start so: two runs on one database and tenant must not collide. */
  key?: string;
}

/**
 * What HireEmployee must write, and nothing else: the idempotency record and
 * the employee, in one transaction; with `outbox`, also its event row, by the
 * outbox's own function (same statement, same envelope, same NOTIFY).
 */
export function rawHireCase(pool: pg.Pool, tenantId: string, seed: PeopleSeed, options: RawHireOptions = {}): Case {
  const key = options.key ?? "raw-hire";
  return {
    name: options.outbox ? "raw pg: hire transaction + outbox insert" : "raw pg: hire transaction",
    servers: [],
    call: async (i) => {
      const id = uuidv7();
      const employee = {
        ...{ id, tenantId, givenName: "Raw", familyName: `Hire${i}`, workEmail: `${key}-${i}@bench.example` },
        ...{ jobTitle: "Engineer", departmentId: seed.departmentIds[0] ?? "", managerId: seed.employeeIds[0] ?? "" },
        ...{ hireDate: "2026-01-05", status: "pending" as const, version: 1, createTime: new Date().toISOString() },
      };
      const requestId = `${key}-${i}`;
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query(
          "INSERT INTO idempotency_records (tenant_id, request_id, fingerprint, response) VALUES ($1, $2, $3, $4::jsonb)",
          [tenantId, requestId, createHash("sha256").update(JSON.stringify(employee)).digest("hex"), employee],
        );
        await client.query(
          `INSERT INTO employees (id, tenant_id, given_name, family_name, work_email, job_title, department_id,
             manager_id, hire_date, status, version, create_time, update_time)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 1, now(), now())`,
          [
            id,
            tenantId,
            "Raw",
            `Hire${i}`,
            employee.workEmail,
            "Engineer",
            employee.departmentId,
            employee.managerId,
            "2026-01-05",
          ],
        );
        if (options.outbox) {
          const hired = { ...employee, terminationDate: null, updateTime: employee.createTime };
          await recordIn(
            new Outbox(clientSql(client), { tenantId, requestId }),
            EMPLOYEE_EVENTS,
            employee,
            hiredEvents(hired),
          );
        }
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
  };
}

/** A checked-out connection as the runtime's Sql: named prepared statements, as the services run them. */
function clientSql(client: pg.PoolClient): Sql {
  const query = (statement: Statement, values: readonly unknown[] = []) =>
    client.query({ name: statement.name, text: statement.text, values: [...values] });
  return {
    rows: async <Row>(statement: Statement, values?: readonly unknown[]) =>
      (await query(statement, values)).rows as Row[],
    count: async (statement: Statement, values?: readonly unknown[]) => (await query(statement, values)).rowCount ?? 0,
  };
}
