import pg from "pg";
import { v7 as uuidv7 } from "uuid";

// The people data, written straight into the service's database (fast, and
// the schema is the service's own: services/people/prisma/schema.prisma).
// Ids are UUIDv7 made in order, so id order is hiring order, as in the service.

export const EMPLOYEES = 1000;
export const DEPARTMENTS = 10;
export const TEAM_SIZE = 100;

export interface PeopleSeed {
  departmentIds: string[];
  /** EMPLOYEES employees spread over the departments, all managed by the first one. */
  employeeIds: string[];
  /** A department of TEAM_SIZE members (managed from outside it) with 3 child departments. */
  teamDepartmentId: string;
  /** One employee per load worker, changed by that worker alone (so it always knows the current etag). */
  updatableIds: string[];
}

const ids = (n: number) => Array.from({ length: n }, () => uuidv7());

export async function seedPeople(url: string, tenantId: string, workers: number): Promise<PeopleSeed> {
  const departmentIds = ids(DEPARTMENTS);
  const teamDepartmentId = uuidv7();
  const children = ids(3);
  const employeeIds = ids(EMPLOYEES);
  const teamIds = ids(TEAM_SIZE);
  const updatableIds = ids(workers);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO departments (id, tenant_id, name, code, parent_id, status, version, create_time, update_time)
       SELECT id, $1, 'Department ' || n, 'D' || n, parent, 'active', 1, now(), now()
       FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS t(id, parent, n)`,
      [
        tenantId,
        [...departmentIds, teamDepartmentId, ...children],
        [...departmentIds.map(() => null), null, ...children.map(() => teamDepartmentId)],
      ],
    );
    const all = [...employeeIds, ...teamIds, ...updatableIds];
    const departmentOf = [
      ...employeeIds.map((_, i) => departmentIds[i % DEPARTMENTS]),
      ...teamIds.map(() => teamDepartmentId),
      ...updatableIds.map(() => departmentIds[0]),
    ];
    const boss = employeeIds[0];
    await client.query(
      `INSERT INTO employees (id, tenant_id, given_name, family_name, work_email, job_title, department_id,
         manager_id, hire_date, status, version, create_time, update_time)
       SELECT id, $1, 'Given' || n, 'Family' || n, 'employee' || n || '@bench.example', 'Engineer', department,
         CASE WHEN id = $4::uuid THEN NULL ELSE $4::uuid END, DATE '2024-01-15', 'active', 1, now(), now()
       FROM unnest($2::uuid[], $3::uuid[]) WITH ORDINALITY AS t(id, department, n)`,
      [tenantId, all, departmentOf, boss],
    );
    await client.query("ANALYZE");
  } finally {
    await client.end();
  }
  return { departmentIds, employeeIds, teamDepartmentId, updatableIds };
}
