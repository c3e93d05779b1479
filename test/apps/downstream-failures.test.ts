import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, newTenant } from "../support/callers.js";
import { capturedLogs } from "../support/captured-logs.js";
import { startDirectory } from "../support/directory-under-test.js";
import { freePort } from "../support/free-port.js";
import { expectError } from "../support/grpc-errors.js";

// An app whose data service cannot be reached answers its callers
// UNAVAILABLE without the data service's address: grpc-js's own text
// ("connect ECONNREFUSED 127.0.0.1:50051") stays in the app's log.

const logs = capturedLogs();
let directory: Awaited<ReturnType<typeof startDirectory>>;
let peoplePort: number;

beforeAll(async () => {
  peoplePort = await freePort(); // nothing listens there
  directory = await startDirectory(`127.0.0.1:${peoplePort}`, logs.logger);
});
afterAll(async () => {
  await directory?.stop();
});

describe("a data service that cannot be reached", () => {
  it("is UNAVAILABLE to the app's caller with no address in the message, and logged with it", async () => {
    const acme = await as(newTenant());
    const error = await expectError(
      directory.directory.getManagerChain({ employeeId: randomUUID() }, acme),
      Status.UNAVAILABLE,
    );
    expect(error.message).toBe("a service this call depends on is unavailable; retry later");
    expect(JSON.stringify(logs.lines)).toContain(`127.0.0.1:${peoplePort}`);
  });
});
