import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { createClient, Status } from "nice-grpc";
import {
  HealthCheckResponse_ServingStatus,
  HealthDefinition,
} from "nice-grpc-server-health/lib/proto/grpc/health/v1/health.js";
import { ServerReflectionService } from "nice-grpc-server-reflection";
import {
  ServerReflectionRequest,
  type ServerReflectionResponse,
} from "nice-grpc-server-reflection/lib/proto/grpc/reflection/v1/reflection_pb.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// Health answers for the whole server ("") and for each service it serves by
// name, and nothing for a service of another process; reflection describes
// the services of its own port only: their files and symbols, and none of
// another process's contracts (it used to serve identity's and timeoff's
// descriptors to anyone who asked by name). Neither needs a token.

const BUF = fileURLToPath(new URL("../../node_modules/.bin/buf", import.meta.url));

let people: PeopleUnderTest;

beforeAll(async () => {
  people = await startPeople();
});

afterAll(() => people?.stop());

/** Asks people's reflection, on one stream, each question `fill` writes; its answers, in order. */
async function reflect(
  ...fill: ((request: ServerReflectionRequest) => unknown)[]
): Promise<ServerReflectionResponse[]> {
  const reflection = createClient(ServerReflectionService, people.channel);
  async function* requests() {
    for (const write of fill) {
      const request = new ServerReflectionRequest();
      write(request);
      yield request;
    }
  }
  const answers: ServerReflectionResponse[] = [];
  for await (const response of reflection.serverReflectionInfo(requests())) answers.push(response);
  return answers;
}

describe("health and reflection of one server", () => {
  it("answers health for the server and each service it serves, and NOT_FOUND for another process's", async () => {
    const health = createClient(HealthDefinition, people.channel);
    for (const service of ["", "hr.employee.v1.EmployeeService", "hr.organization.v1.DepartmentService"]) {
      expect((await health.check({ service })).status, service).toBe(HealthCheckResponse_ServingStatus.SERVING);
    }
    await expectError(health.check({ service: "hr.identity.v1.AccountService" }), Status.NOT_FOUND);
  });

  it("lists by reflection the services of its own port only, health included", async () => {
    const [response] = await reflect((request) => request.setListServices(""));
    const names = (response?.getListServicesResponse()?.getServiceList() ?? []).map((s) => s.getName());
    expect(names.sort()).toEqual([
      "grpc.health.v1.Health",
      "hr.employee.v1.EmployeeService",
      "hr.organization.v1.DepartmentService",
    ]);
  });

  it("describes its own services' files and symbols, with their imports", async () => {
    const asked = [
      (r: ServerReflectionRequest) => r.setFileByFilename("hr/employee/v1/employee_service.proto"),
      (r: ServerReflectionRequest) => r.setFileByFilename("hr/employee/v1/error_reason.proto"),
      (r: ServerReflectionRequest) => r.setFileByFilename("hr/auth/v1/authorization.proto"),
      // OVERLOADED and the other runtime reasons: any server may send them.
      (r: ServerReflectionRequest) => r.setFileByFilename("hr/runtime/v1/error_reason.proto"),
      (r: ServerReflectionRequest) => r.setFileByFilename("google/protobuf/timestamp.proto"),
      (r: ServerReflectionRequest) => r.setFileContainingSymbol("hr.employee.v1.EmployeeService"),
      (r: ServerReflectionRequest) => r.setFileContainingSymbol("hr.organization.v1.Department"),
      (r: ServerReflectionRequest) => r.setFileContainingSymbol("grpc.health.v1.Health"),
    ];
    for (const [index, response] of (await reflect(...asked)).entries()) {
      expect(response.getErrorResponse()?.getErrorMessage(), `request ${index}`).toBeUndefined();
      expect(response.getFileDescriptorResponse()?.getFileDescriptorProtoList().length, `request ${index}`).toBe(1);
    }
  });

  it("refuses NOT_FOUND another process's files and symbols (identity's, timeoff's)", async () => {
    const asked = [
      (r: ServerReflectionRequest) => r.setFileByFilename("hr/identity/v1/account_service.proto"),
      (r: ServerReflectionRequest) => r.setFileByFilename("hr/timeoff/v1/leave_account_service.proto"),
      (r: ServerReflectionRequest) => r.setFileContainingSymbol("hr.identity.v1.AccountService"),
      (r: ServerReflectionRequest) => r.setFileContainingSymbol("hr.identity.v1.GetAccountRequest"),
      (r: ServerReflectionRequest) => r.setFileContainingSymbol("hr.timeoff.v1.LeaveAccountService"),
      (r: ServerReflectionRequest) => r.setFileContainingSymbol("hr.timeoff.v1.LeaveRequest"),
    ];
    for (const [index, response] of (await reflect(...asked)).entries()) {
      expect(response.getErrorResponse()?.getErrorCode(), `request ${index}`).toBe(Status.NOT_FOUND);
      expect(response.getFileDescriptorResponse(), `request ${index}`).toBeUndefined();
    }
  });
});

describe("an independent reflection client (buf curl)", () => {
  const bufCurl = (...args: string[]) =>
    new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(BUF, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", ...args], (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, out: `${stdout}${stderr}` }),
      );
    });

  it("lists people's services and calls them from what reflection describes", async () => {
    const base = `http://${people.address}`;
    const listed = await bufCurl("--list-services", base);
    expect(listed.out.trim().split("\n").sort()).toEqual([
      "grpc.health.v1.Health",
      "hr.employee.v1.EmployeeService",
      "hr.organization.v1.DepartmentService",
    ]);
    const check = await bufCurl("-d", '{"service":""}', `${base}/grpc.health.v1.Health/Check`);
    expect(check.out).toContain('"status": "SERVING"');
    const acme = await as(newTenant());
    const read = await bufCurl(
      "-H",
      `authorization: ${acme.metadata.get("authorization")}`,
      "-d",
      JSON.stringify({ id: randomUUID() }),
      `${base}/hr.employee.v1.EmployeeService/GetEmployee`,
    );
    expect(read.out).toContain('"code": "not_found"');
  });
});
