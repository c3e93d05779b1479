import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newTenant, tokenOf } from "../support/callers.js";
import { startDirectory } from "../support/directory-under-test.js";
import { freePort } from "../support/free-port.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { startPeople } from "../support/people-under-test.js";

// What a client learns when an upstream cannot be reached: that the service
// is unavailable, by its contract's name, and never a host, a port or an
// errno, which go to the gateway's log. Upstreams that are down for real: a
// port nobody listens on, a name that does not resolve, and an app whose
// own data service has stopped.
// Run alone: npm test -- test/apps/gateway-upstream-failures.test.ts

const LOGIN = "/hr.session.v1.SessionService/Login";
const GET_TEAM = "/hr.directory.v1.DirectoryService/GetTeam";
/** What an internal address or a socket error looks like in a message. */
const INTERNALS = /\d+\.\d+\.\d+\.\d+|:\d{2,5}\b|E[A-Z]{4,}|\.invalid|getaddrinfo|connect /;

const logLines: { msg?: string; requestId?: string; message?: string; cause?: { code?: string } }[] = [];
let downPort: number;
let gateway: GatewayUnderTest;
let directory: Awaited<ReturnType<typeof startDirectory>>;
beforeAll(async () => {
  downPort = await freePort();
  const people = await startPeople();
  directory = await startDirectory(people.address);
  gateway = await startGatewayUnderTest(
    {
      "hr.session.v1": `127.0.0.1:${downPort}`,
      "hr.selfservice.v1": "gateway-upstream.invalid:50051",
      "hr.directory.v1": `127.0.0.1:${directory.server.port}`,
    },
    // The breaker stays closed throughout: every call below reaches the transport.
    { GATEWAY_BREAKER_FAILURES: "1000" },
    pino({ level: "info" }, { write: (line: string) => logLines.push(JSON.parse(line)) }),
  );
  // The directory's data service goes away; the directory app stays up.
  await people.stop();
});
afterAll(async () => {
  await gateway?.stop();
  await directory?.stop();
});

/** The answer as a client reads it, its whole body as text too. */
async function answerOf(response: Response) {
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { code: string; message: string } };
}

describe("an upstream that cannot be reached", () => {
  it("refused connection: 503 naming the service, no address nor errno; the detail is in the log", async () => {
    const response = await gateway.call(LOGIN, { tenantId: newTenant(), loginName: "ada", password: "x" });
    const requestId = response.headers.get("x-request-id");
    const answer = await answerOf(response);
    expect(answer.status).toBe(503);
    expect(answer.body).toEqual({ code: "unavailable", message: "hr.session.v1 is unavailable: retry later" });
    expect(answer.text).not.toMatch(INTERNALS);
    expect(answer.text).not.toContain(String(downPort));

    const logged = logLines.find((line) => line.msg === "upstream call failed" && line.requestId === requestId);
    expect(logged?.message).toContain(`ECONNREFUSED 127.0.0.1:${downPort}`);
    expect(logged?.cause?.code).toBe("ECONNREFUSED");
  });

  it("a name that does not resolve: the same answer, naming the service", async () => {
    const token = await tokenOf(newTenant(), "ada", ["employee"], randomUUID());
    const signed = await answerOf(
      await gateway.call("/hr.selfservice.v1.SelfService/GetMyProfile", {}, { authorization: `Bearer ${token}` }),
    );
    expect(signed.status).toBe(503);
    expect(signed.body).toEqual({ code: "unavailable", message: "hr.selfservice.v1 is unavailable: retry later" });
    expect(signed.text).not.toMatch(INTERNALS);
  });

  it("an app whose data service is down: its UNAVAILABLE reaches the client without the data service's address", async () => {
    const token = await tokenOf(newTenant(), "ada", ["employee"]);
    const answer = await answerOf(
      await gateway.call(GET_TEAM, { departmentId: randomUUID() }, { authorization: `Bearer ${token}` }),
    );
    expect(answer.status).toBe(503);
    expect(answer.body.message).toBe("hr.directory.v1 is unavailable: retry later");
    expect(answer.text).not.toMatch(INTERNALS);
  });
});
