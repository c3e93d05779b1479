import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type Caller, newTenant, testConfig } from "../support/callers.js";
import { startDirectory } from "../support/directory-under-test.js";
import { expectError } from "../support/grpc-errors.js";
import { type PeopleUnderTest, startPeople } from "../support/people-under-test.js";

// The directory app against a real people data service: data written through
// people's clients comes back composed through the directory.
// Run alone: npm test -- test/apps/directory.test.ts

let people: PeopleUnderTest;
let app: Awaited<ReturnType<typeof startDirectory>>;
/** Every call people answered (its one log line per call): method path and the caller's login. */
const peopleCalls: { method: string; userId: string }[] = [];
const callLog = pino({ level: "info" }, { write: (line: string) => peopleCalls.push(JSON.parse(line)) });

beforeAll(async () => {
  people = await startPeople(testConfig, callLog);
  app = await startDirectory(people.address);
});
afterAll(async () => {
  await app?.stop();
  await people?.stop();
});

async function department(auth: Caller, name: string, parentDepartmentId = "") {
  const { department } = await people.departments.createDepartment(
    {
      requestId: randomUUID(),
      name,
      code: name.toUpperCase().replace(/\W/g, "-"),
      parentDepartmentId,
      headEmployeeId: "",
    },
    auth,
  );
  return department!;
}

async function hire(auth: Caller, givenName: string, departmentId: string, managerId = "") {
  const { employee } = await people.employees.hireEmployee(
    {
      requestId: randomUUID(),
      givenName,
      familyName: "Tester",
      workEmail: `${givenName.toLowerCase().replace(/\W/g, "")}@example.com`,
      jobTitle: `${givenName}'s job`,
      departmentId,
      managerId,
      hireDate: "2024-01-15",
    },
    auth,
  );
  return employee!;
}

describe("GetTeam", () => {
  it("shows a department, its children and its members with their managers", async () => {
    const acme = await as(newTenant());
    const company = await department(acme, "Company");
    const eng = await department(acme, "Engineering", company.id);
    const platform = await department(acme, "Platform", eng.id);
    const ceo = await hire(acme, "Grace", company.id);
    const lead = await hire(acme, "Linus", eng.id, ceo.id);
    const dev = await hire(acme, "Ada", eng.id, lead.id);
    const leaver = await hire(acme, "Gone", eng.id, lead.id);
    await people.employees.terminateEmployee(
      { requestId: randomUUID(), id: leaver.id, etag: leaver.etag, effectiveDate: "2024-06-30" },
      acme,
    );

    const team = await app.directory.getTeam({ departmentId: eng.id }, acme);
    expect(team.department).toEqual({ id: eng.id, name: "Engineering", code: "ENGINEERING" });
    expect(team.childDepartments.map((d) => d.id)).toEqual([platform.id]);
    expect(team.members.map((m) => [m.person?.displayName, m.manager?.displayName])).toEqual([
      ["Linus Tester", "Grace Tester"],
      ["Ada Tester", "Linus Tester"],
    ]);
    expect(team.members[1]?.person).toMatchObject({ id: dev.id, workEmail: "ada@example.com" });
  });

  it("answers NOT_FOUND for another tenant's department and UNAUTHENTICATED without a token", async () => {
    const eng = await department(await as(newTenant()), "Hidden");
    await expectError(app.directory.getTeam({ departmentId: eng.id }, await as(newTenant())), Status.NOT_FOUND);
    await expectError(app.directory.getTeam({ departmentId: eng.id }), Status.UNAUTHENTICATED);
  });

  it("reads people the same number of times however many members have left", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const eng = await department(acme, "Engineering");
    const lead = await hire(acme, "Linus", eng.id);
    // 401 leavers: more than two pages of terminated people.
    for (let i = 0; i < 401; i += 20) {
      const leavers = Array.from({ length: Math.min(20, 401 - i) }, async (_, j) => {
        const leaver = await hire(acme, `Gone${i + j}`, eng.id, lead.id);
        const ending = { requestId: randomUUID(), id: leaver.id, etag: leaver.etag, effectiveDate: "2024-06-30" };
        await people.employees.terminateEmployee(ending, acme);
      });
      await Promise.all(leavers);
    }
    const dev = await hire(acme, "Ada", eng.id, lead.id);

    const reader = `reader-${randomUUID()}`;
    const team = await app.directory.getTeam({ departmentId: eng.id }, await as(tenant, undefined, { userId: reader }));
    expect(team.members.map((m) => m.person?.id)).toEqual([lead.id, dev.id]);
    // GetDepartment, ListDepartments and one ListEmployees per current status
    // (pending, active); paging through every member, leavers included, made
    // it three ListEmployees here, and one more per 200 leavers.
    const calls = peopleCalls.filter((call) => call.userId === reader).map((call) => call.method.split("/")[2]);
    expect(calls.sort()).toEqual(["GetDepartment", "ListDepartments", "ListEmployees", "ListEmployees"]);
  });

  it("refuses a malformed id with field details", async () => {
    const error = await expectError(
      app.directory.getTeam({ departmentId: "nope" }, await as(newTenant())),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields).toEqual(["department_id"]);
  });
});

describe("GetManagerChain", () => {
  it("lists managers nearest first up to the top", async () => {
    const acme = await as(newTenant());
    const d = await department(acme, "Ops");
    const top = await hire(acme, "Top", d.id);
    const middle = await hire(acme, "Middle", d.id, top.id);
    const bottom = await hire(acme, "Bottom", d.id, middle.id);
    const chain = await app.directory.getManagerChain({ employeeId: bottom.id }, acme);
    expect(chain.employee?.id).toBe(bottom.id);
    expect(chain.managers.map((m) => m.id)).toEqual([middle.id, top.id]);
  });
});

describe("v2 beside v1", () => {
  it("serves both versions on one port from the same use case, v2 with the name in its parts", async () => {
    const acme = await as(newTenant());
    const d = await department(acme, "Research");
    const lead = await hire(acme, "Mary Ann", d.id);
    const dev = await hire(acme, "Ada", d.id, lead.id);
    const [v1, v2] = await Promise.all([
      app.directory.getManagerChain({ employeeId: dev.id }, acme),
      app.directoryV2.getManagerChain({ employeeId: dev.id }, acme),
    ]);
    expect(v1.managers.map((m) => m.displayName)).toEqual(["Mary Ann Tester"]);
    expect(v2.managers.map((m) => m.name)).toEqual([{ givenName: "Mary Ann", familyName: "Tester" }]);
    expect(v2.managers.map((m) => ({ ...m, name: undefined }))).toEqual(
      v1.managers.map((m) => ({ ...m, displayName: undefined, name: undefined })),
    );
    const team = await app.directoryV2.getTeam({ departmentId: d.id }, acme);
    expect(team.members.map((m) => [m.person?.name?.givenName, m.manager?.name?.givenName])).toEqual([
      ["Mary Ann", undefined],
      ["Ada", "Mary Ann"],
    ]);
  });

  it("checks v2's requests as v1's: a malformed id is INVALID_ARGUMENT with field details", async () => {
    const error = await expectError(
      app.directoryV2.getManagerChain({ employeeId: "nope" }, await as(newTenant())),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields).toEqual(["employee_id"]);
  });
});

describe("deadlines", () => {
  it("gives up at the caller's deadline while a data service is stuck", async () => {
    const acme = await as(newTenant());
    const d = await department(acme, "Slow");
    // A real fault: an exclusive lock makes every read of employees wait.
    const blocker = new pg.Client({ connectionString: people.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query("BEGIN; LOCK TABLE employees IN ACCESS EXCLUSIVE MODE");
      await expectError(
        app.directory.getTeam({ departmentId: d.id }, { ...acme, deadline: 300 }),
        Status.DEADLINE_EXCEEDED,
      );
    } finally {
      await blocker.query("ROLLBACK");
      await blocker.end();
    }
    // The service is healthy again once the fault is gone.
    const team = await app.directory.getTeam({ departmentId: d.id }, acme);
    expect(team.members).toEqual([]);
  });
});
