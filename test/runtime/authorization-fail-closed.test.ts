import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GetDepartmentRequest,
  GetDepartmentResponse,
} from "../../generated/proto/hr/organization/v1/department_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { as, newTenant, testConfig } from "../support/callers.js";
import { capturedLogs } from "../support/captured-logs.js";
import { expectError } from "../support/grpc-errors.js";
import { testClient } from "../support/service-under-test.js";

// A method the contracts declare no authorization rule for refuses every
// call, whatever the caller's roles, and its server says so when it starts.
// Shown with a service that is in no proto file, so it can have no rule.

const UnruledDefinition = {
  name: "Unruled",
  fullName: "test.v1.Unruled",
  methods: {
    peek: {
      name: "Peek",
      requestType: GetDepartmentRequest,
      requestStream: false,
      responseType: GetDepartmentResponse,
      responseStream: false,
      options: {},
    },
  },
} as const;

const { logger, lines } = capturedLogs<{ level: number; msg: string; methods?: string[] }>();

let server: RunningServer;
let reached = 0;
beforeAll(async () => {
  server = await startGrpcServer({
    name: "unruled",
    port: 0,
    config: testConfig,
    logger,
    services: [
      serve(UnruledDefinition, {
        peek: async () => {
          reached += 1;
          return {};
        },
      }),
    ],
  });
});
afterAll(() => server?.stop());

describe("a method without an authorization rule", () => {
  it("is logged as refusing every call when the server starts", () => {
    const logged = lines.find((line) => line.msg === "methods without an authorization rule refuse every call");
    expect(logged?.methods).toEqual(["/test.v1.Unruled/Peek"]);
  });

  it("refuses every caller, an administrator holding every role included, before its handler runs", async () => {
    const channel = openChannel(`127.0.0.1:${server.port}`);
    const client = testClient(UnruledDefinition, channel);
    const everyRole = [
      "tenant_admin",
      "hr_admin",
      "manager",
      "employee",
      "recruiter",
      "session_service",
      "workflow_service",
    ];
    for (const roles of [everyRole, []]) {
      const error = await expectError(client.peek({ id: "" }, await as(newTenant(), roles)), Status.PERMISSION_DENIED);
      expect(error.reason).toBe("NO_AUTHORIZATION_RULE");
    }
    expect(reached).toBe(0);
    channel.close();
  });
});
