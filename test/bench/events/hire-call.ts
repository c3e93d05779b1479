import { performance } from "node:perf_hooks";
import { EmployeeServiceDefinition } from "../../../generated/proto/hr/employee/v1/employee_service.js";
import { check } from "../cases/case.js";
import { rawClient } from "../raw-client.js";
import type { RawChannel } from "../raw-grpc-client.js";
import type { PeopleSeed } from "../seed/people.js";

// HireEmployee, the cheapest call that records an event (one EmployeeHired),
// through the bench's raw-bytes client. `key` keeps request ids and work
// emails apart between the phases that hire into one database and tenant.

export interface Hires {
  call(i: number): Promise<void>;
  /** Hires answered OK so far, each an event that must reach the consumer. */
  answered(): number;
  /** performance.now() when each hire's answer arrived, by employee id. */
  readonly answeredAt: Map<string, number>;
}

export function hires(channel: RawChannel, seed: PeopleSeed, key: string): Hires {
  const employees = rawClient(EmployeeServiceDefinition, channel);
  const answeredAt = new Map<string, number>();
  return {
    answeredAt,
    answered: () => answeredAt.size,
    async call(i) {
      const answer = await employees.hireEmployee({
        requestId: `${key}-${i}`,
        ...{ givenName: "Event", familyName: `Hire${i}`, workEmail: `${key}-${i}@bench.example`, jobTitle: "Engineer" },
        ...{ departmentId: seed.departmentIds[0] ?? "", managerId: seed.employeeIds[0] ?? "", hireDate: "2026-01-05" },
      });
      const id = answer.employee?.id;
      check(id !== undefined, "Hire");
      answeredAt.set(id ?? "", performance.now());
    },
  };
}
