import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import { waitUntilServing } from "../../runtime/launch/readiness.js";
import { as, newTenant } from "../support/callers.js";
import { groupRuns } from "../support/launcher-process.js";
import { type PlatformUnderTest, START_TIMEOUT_MS, startPlatform } from "../support/platform-under-test.js";
import { testClient } from "../support/service-under-test.js";

// `npm start` under a kill -9: one data service is killed; the others keep
// answering, the launcher restarts it, and Ctrl-C (SIGINT) then stops every
// process it started, PostgreSQL included when it started an embedded one
// (DATABASE_URL unset).

const KILLED = "timeoff";

let platform: PlatformUnderTest | undefined;
let channel: ReturnType<typeof openChannel> | undefined;

beforeAll(async () => {
  platform = await startPlatform();
}, 180_000);

afterAll(async () => {
  channel?.close();
  await platform?.cleanUp();
});

describe("the launcher (npm start)", () => {
  it("restarts a data service killed with SIGKILL while the others keep serving, and Ctrl-C stops everything", async () => {
    if (platform === undefined) throw new Error("the platform did not start");
    const { launcher, until } = platform;
    const postgres = await platform.postgresPid();

    const killed = launcher.pidOf(KILLED);
    if (killed === undefined) throw new Error(`no pid reported for ${KILLED}:\n${launcher.tail()}`);
    process.kill(killed, "SIGKILL");

    // While it is down and coming back, people answers every call.
    channel = openChannel(`127.0.0.1:${platform.ports.people}`);
    const employees = testClient(EmployeeServiceDefinition, channel);
    const caller = await as(newTenant());
    let calls = 0;
    const restarted = () => launcher.pidOf(KILLED) !== killed;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!restarted() || calls === 0) {
      if (Date.now() > deadline) throw new Error(`${KILLED} was not restarted; launcher output:\n${launcher.tail()}`);
      expect((await employees.listEmployees({ pageSize: 10 }, caller)).employees).toEqual([]);
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(groupRuns(killed)).toBe(false);
    await waitUntilServing(platform.ports[KILLED], launcher.process, START_TIMEOUT_MS);
    expect((await employees.listEmployees({ pageSize: 10 }, caller)).employees).toEqual([]);

    const everyGroup = [...launcher.pids.values()].flat();
    if (postgres !== undefined) everyGroup.push(postgres);
    launcher.process.kill("SIGINT");
    expect(await launcher.exited()).toBe(0);
    await until("every process the launcher started is gone", () => everyGroup.every((pid) => !groupRuns(pid)), 10_000);
  }, 180_000);
});
