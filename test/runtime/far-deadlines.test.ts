import { randomUUID } from "node:crypto";
import { createChannel, createClient, Metadata, Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DirectoryServiceDefinition,
  GetManagerChainRequest,
} from "../../generated/proto/hr/directory/v1/directory_service.js";
import { GetEmployeeRequest } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { GetAccountRequest } from "../../generated/proto/hr/identity/v1/account_service.js";
import { DEADLINE_HEADER } from "../../runtime/client/call-headers.js";
import { as, newTenant } from "../support/callers.js";
import { startDirectory } from "../support/directory-under-test.js";
import { expectError } from "../support/grpc-errors.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";
import { rawUnaryCall } from "./raw-grpc.js";

// A deadline far in the future (30 days, the year 2100, a huge x-deadline-ms
// header) is capped at MAX_DEADLINE_MS, by the client factory and by every
// server for what it forwards: the call is served, never answered
// DEADLINE_EXCEEDED at once by a timer that overflowed (Node fires a timer
// of 2^31 ms or more at once, with a TimeoutOverflowWarning). A raw gRPC
// client's `grpc-timeout` that far is served as if it asked for the cap:
// grpc-js would otherwise wrap it to a negative 32-bit timer and answer
// DEADLINE_EXCEEDED before the handler ran.

let people: PeopleUnderTest;
let identity: IdentityUnderTest;
let directory: Awaited<ReturnType<typeof startDirectory>>;
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(warning.name);

beforeAll(async () => {
  people = await startPeople();
  directory = await startDirectory(people.address);
  identity = await startIdentity();
  process.on("warning", onWarning);
});

afterAll(async () => {
  process.off("warning", onWarning);
  await directory?.stop();
  await identity?.stop();
  await people?.stop();
});

describe("a far-future deadline", () => {
  it("is capped by the client factory: 30 days or the year 2100 still get an answer", async () => {
    const acme = await as(newTenant());
    const id = randomUUID();
    for (const deadline of [30 * 24 * 3_600_000, new Date("2100-01-01T00:00:00Z")]) {
      await expectError(people.employees.getEmployee({ id }, { ...acme, deadline }), Status.NOT_FOUND);
    }
    expect(warnings).not.toContain("TimeoutOverflowWarning");
  });

  it("sent as a raw header, is capped by the server before it forwards what is left of it", async () => {
    const acme = await as(newTenant());
    const channel = createChannel(`127.0.0.1:${directory.server.port}`);
    try {
      const raw = createClient(DirectoryServiceDefinition, channel);
      for (const far of ["99999999999999", String(Date.parse("2100-01-01T00:00:00Z"))]) {
        const metadata = Metadata(acme.metadata).set(DEADLINE_HEADER, far);
        await expectError(raw.getManagerChain({ employeeId: randomUUID() }, { metadata }), Status.NOT_FOUND);
      }
    } finally {
      channel.close();
    }
    expect(warnings).not.toContain("TimeoutOverflowWarning");
  });
});

describe("a far-future grpc-timeout from a raw HTTP/2 client", () => {
  // 30 days in seconds, and the year 2100 in minutes (8 digits, as the gRPC spec allows).
  const far = ["2592000S", "38430581M"];

  it("is served by people, identity and the directory app as if it were the cap", async () => {
    const acme = await as(newTenant());
    const authorization = acme.metadata.get("authorization") ?? "";
    const id = randomUUID();
    const calls = [
      {
        address: people.address,
        path: "/hr.employee.v1.EmployeeService/GetEmployee",
        body: GetEmployeeRequest.encode({ id }).finish(),
      },
      {
        address: identity.address,
        path: "/hr.identity.v1.AccountService/GetAccount",
        body: GetAccountRequest.encode({ id }).finish(),
      },
      {
        address: `127.0.0.1:${directory.server.port}`,
        path: "/hr.directory.v1.DirectoryService/GetManagerChain",
        body: GetManagerChainRequest.encode({ employeeId: id }).finish(),
      },
    ];
    for (const { address, path, body } of calls) {
      for (const timeout of far) {
        const answer = await rawUnaryCall(address, path, body, { authorization, "grpc-timeout": timeout });
        expect(Status[answer.status], `${path} with grpc-timeout ${timeout}: ${answer.message}`).toBe("NOT_FOUND");
      }
    }
    expect(warnings).not.toContain("TimeoutOverflowWarning");
  });
});
