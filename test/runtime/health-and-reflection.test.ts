import { createClient, Status } from "nice-grpc";
import {
  HealthCheckResponse_ServingStatus,
  HealthDefinition,
} from "nice-grpc-server-health/lib/proto/grpc/health/v1/health.js";
import { ServerReflectionService } from "nice-grpc-server-reflection";
import { ServerReflectionRequest } from "nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectError } from "../support/grpc-errors.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// Health answers for the whole server ("") and for each service it serves by
// name, and nothing for a service of another process; reflection describes
// the services of its own port only. Neither needs a token.

let people: PeopleUnderTest;

beforeAll(async () => {
  people = await startPeople();
});

afterAll(() => people?.stop());

describe("health and reflection of one server", () => {
  it("answers health for the server and each service it serves, and NOT_FOUND for another process's", async () => {
    const health = createClient(HealthDefinition, people.channel);
    for (const service of ["", "hr.employee.v1.EmployeeService", "hr.organization.v1.DepartmentService"]) {
      expect((await health.check({ service })).status, service).toBe(HealthCheckResponse_ServingStatus.SERVING);
    }
    await expectError(health.check({ service: "hr.identity.v1.AccountService" }), Status.NOT_FOUND);
  });

  it("lists by reflection the business services of its own port only", async () => {
    const reflection = createClient(ServerReflectionService, people.channel);
    const request = new ServerReflectionRequest();
    request.setListServices("");
    const names: string[] = [];
    async function* requests() {
      yield request;
    }
    for await (const response of reflection.serverReflectionInfo(requests())) {
      names.push(...(response.getListServicesResponse()?.getServiceList() ?? []).map((s) => s.getName()));
    }
    expect(names.sort()).toEqual(["hr.employee.v1.EmployeeService", "hr.organization.v1.DepartmentService"]);
  });
});
