import { EmployeeServiceDefinition } from "../../../generated/proto/hr/employee/v1/employee_service.js";
import { rawClient } from "../raw-client.js";
import type { RawChannel } from "../raw-grpc-client.js";
import type { PeopleSeed } from "../seed/people.js";
import { type Case, check } from "./case.js";

// The people service's cases, through the bench's raw-bytes client (no
// middleware, no deadline: the load process should spend as little as it can).

const PAGE = 50;

type PeopleCase = "get" | "batchGet" | "list" | "hire" | "replay" | "update";

export function peopleCases(
  channel: RawChannel,
  seed: PeopleSeed,
  servers: readonly string[],
): Record<PeopleCase, Case> {
  const employees = rawClient(EmployeeServiceDefinition, channel);
  const ids = seed.employeeIds;
  const pick = (i: number) => ids[(i * 7919) % ids.length] ?? "";

  const hireRequest = (i: number) => ({
    requestId: `hire-${i}`,
    ...{ givenName: "New", familyName: `Hire${i}`, workEmail: `new-hire-${i}@bench.example`, jobTitle: "Engineer" },
    ...{ departmentId: seed.departmentIds[0] ?? "", managerId: ids[0] ?? "", hireDate: "2026-01-05" },
  });
  // Call numbers of hires that succeeded: the replay case repeats the first 1000 of them.
  const hired: number[] = [];

  // Each worker updates its own employee, so it always holds the current etag;
  // after a failure it re-reads it instead of failing every later call.
  const etags = seed.updatableIds.map(() => '"1"');

  return {
    get: {
      name: "GetEmployee",
      servers,
      call: async (i) => {
        const id = pick(i);
        check((await employees.getEmployee({ id })).employee?.id === id, "GetEmployee");
      },
    },
    batchGet: {
      name: `BatchGetEmployees ${PAGE}`,
      servers,
      call: async (i) => {
        const start = (i * 7919) % ids.length;
        const batch = Array.from({ length: PAGE }, (_, k) => ids[(start + k) % ids.length] ?? "");
        check((await employees.batchGetEmployees({ ids: batch })).employees.length === PAGE, "BatchGet");
      },
    },
    list: {
      name: `ListEmployees ${PAGE}`,
      servers,
      call: async () => check((await employees.listEmployees({ pageSize: PAGE })).employees.length === PAGE, "List"),
    },
    hire: {
      name: "HireEmployee (new request id)",
      servers,
      call: async (i) => {
        check((await employees.hireEmployee(hireRequest(i))).employee?.id !== undefined, "Hire");
        hired.push(i);
      },
    },
    replay: {
      name: "HireEmployee (replayed request id)",
      servers,
      call: async (i) => {
        const first = hired[i % Math.min(hired.length, 1000)];
        if (first === undefined) throw new Error("no hire to replay");
        const answer = await employees.hireEmployee(hireRequest(first));
        check(answer.employee?.familyName === `Hire${first}`, "replayed Hire");
      },
    },
    update: {
      name: "UpdateEmployee (job_title, current etag)",
      servers,
      call: async (i, worker) => {
        const id = seed.updatableIds[worker] ?? "";
        const employee = { id, etag: etags[worker] ?? "", jobTitle: `Title ${i}` };
        try {
          const answer = await employees.updateEmployee({
            requestId: `update-${i}`,
            employee,
            updateMask: ["job_title"],
          });
          etags[worker] = answer.employee?.etag ?? "";
        } catch (error) {
          etags[worker] = (await employees.getEmployee({ id })).employee?.etag ?? "";
          throw error;
        }
      },
    },
  };
}
