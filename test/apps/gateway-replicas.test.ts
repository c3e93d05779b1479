import { randomUUID } from "node:crypto";
import { createServer, type Server, ServerError, Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectoryServiceDefinition } from "../../generated/proto/hr/directory/v1/directory_service.js";
import { as, newTenant, tokenOf } from "../support/callers.js";
import { startDirectory } from "../support/directory-under-test.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// An upstream of the edge as several replicas (GATEWAY_UPSTREAMS lists each
// one after its package): calls go to each in turn, and a safe call (the
// contract says NO_SIDE_EFFECTS) that one replica fails with UNAVAILABLE is
// retried on the next, so the client never sees that failure. Here one
// directory replica is real and the other answers UNAVAILABLE to everything,
// as a replica whose own dependency is gone would.
// Run alone: npm test -- test/apps/gateway-replicas.test.ts

const GET_TEAM = "/hr.directory.v1.DirectoryService/GetTeam";

let people: PeopleUnderTest;
let directory: Awaited<ReturnType<typeof startDirectory>>;
let broken: Server;
let brokenCalls = 0;
let gateway: GatewayUnderTest;

beforeAll(async () => {
  people = await startPeople();
  directory = await startDirectory(people.address);
  broken = createServer();
  const unavailable = async (): Promise<never> => {
    brokenCalls++;
    throw new ServerError(Status.UNAVAILABLE, "this replica cannot reach its data service");
  };
  broken.add(DirectoryServiceDefinition, { getTeam: unavailable, getManagerChain: unavailable });
  const brokenPort = await broken.listen("127.0.0.1:0");
  gateway = await startGatewayUnderTest({
    "hr.directory.v1": `127.0.0.1:${directory.server.port},127.0.0.1:${brokenPort}`,
  });
});

afterAll(async () => {
  await gateway?.stop();
  broken?.forceShutdown();
  await directory?.stop();
  await people?.stop();
});

describe("an upstream with two replicas, one failing", () => {
  it("answers every safe call: each one the broken replica got was retried on the other", async () => {
    const tenantId = newTenant();
    const admin = await as(tenantId);
    const { department } = await people.departments.createDepartment(
      { requestId: randomUUID(), name: "Engineering", code: "ENG", parentDepartmentId: "", headEmployeeId: "" },
      admin,
    );
    const token = await tokenOf(tenantId, "ada", ["employee"]);
    const statuses = [];
    for (let i = 0; i < 10; i++) {
      const response = await gateway.call(
        GET_TEAM,
        { departmentId: department?.id },
        { authorization: `Bearer ${token}` },
      );
      statuses.push(response.status);
    }
    expect(statuses).toEqual(Array(10).fill(200));
    expect(brokenCalls).toBeGreaterThan(0);
  });
});
