import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CloseOutcome,
  type CreateJobOpeningRequest,
  type JobOpening,
  JobOpeningStatus,
  type ListJobOpeningsRequest,
} from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import { openSqlDatabase } from "../../runtime/db/sql.js";
import { holdJobOpening, openJobOpening } from "../../services/talent/requisition/job-opening.js";
import { JobOpeningRepository } from "../../services/talent/requisition/job-opening-repository.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { startTalent, type TalentUnderTest } from "../support/talent-under-test.js";

// The requisition context (hr.requisition.v1.JobOpeningService) through its
// generated client against a real talent server and database.
// Tenancy, request ids, etags and paging: test/conventions/requisition.test.ts.
// Run alone: npm test -- test/contexts/requisition.test.ts

let talent: TalentUnderTest;
beforeAll(async () => {
  talent = await startTalent();
});
afterAll(() => talent?.stop());

// Departments live in the organization context and are not checked here: any UUID will do.
const ENGINEERING = randomUUID();
const SALES = randomUUID();

const { JOB_OPENING_STATUS_DRAFT: DRAFT, JOB_OPENING_STATUS_OPEN: OPEN } = JobOpeningStatus;
const { JOB_OPENING_STATUS_ON_HOLD: ON_HOLD, JOB_OPENING_STATUS_CLOSED: CLOSED } = JobOpeningStatus;
const { JOB_OPENING_STATUS_FILLED: FILLED } = JobOpeningStatus;
const { CLOSE_OUTCOME_FILLED: AS_FILLED, CLOSE_OUTCOME_CLOSED: AS_CLOSED } = CloseOutcome;

const createRequest = (overrides: Partial<CreateJobOpeningRequest> = {}): CreateJobOpeningRequest => ({
  requestId: randomUUID(),
  title: "Backend Engineer",
  departmentId: ENGINEERING,
  headcount: 2,
  description: "Build the HR platform.",
  ...overrides,
});

function present(opening: JobOpening | undefined): JobOpening {
  if (opening === undefined) throw new Error("the response carries no job opening");
  return opening;
}

async function create(caller: Caller, overrides: Partial<CreateJobOpeningRequest> = {}): Promise<JobOpening> {
  return present((await talent.jobOpenings.createJobOpening(createRequest(overrides), caller)).jobOpening);
}

async function read(caller: Caller, id: string): Promise<JobOpening> {
  return present((await talent.jobOpenings.getJobOpening({ id }, caller)).jobOpening);
}

const command = (o: JobOpening) => ({ requestId: randomUUID(), id: o.id, etag: o.etag });

async function open(caller: Caller, o: JobOpening): Promise<JobOpening> {
  return present((await talent.jobOpenings.openJobOpening(command(o), caller)).jobOpening);
}

async function hold(caller: Caller, o: JobOpening): Promise<JobOpening> {
  return present((await talent.jobOpenings.holdJobOpening(command(o), caller)).jobOpening);
}

async function close(caller: Caller, o: JobOpening, outcome: CloseOutcome): Promise<JobOpening> {
  return present((await talent.jobOpenings.closeJobOpening({ ...command(o), outcome }, caller)).jobOpening);
}

/** An opening of the caller's tenant in `status`, reached through the commands. */
async function openingIn(caller: Caller, status: JobOpeningStatus): Promise<JobOpening> {
  const draft = await create(caller);
  if (status === DRAFT) return draft;
  const opened = await open(caller, draft);
  if (status === OPEN) return opened;
  if (status === ON_HOLD) return hold(caller, opened);
  return close(caller, opened, status === FILLED ? AS_FILLED : AS_CLOSED);
}

const rowsOf = (tenantId: string) => talent.db.jobOpening.count({ where: { tenantId } });

async function listIds(caller: Caller, filter: Partial<ListJobOpeningsRequest> = {}): Promise<string[]> {
  const page = await talent.jobOpenings.listJobOpenings({ pageSize: 200, ...filter }, caller);
  expect(page.nextPageToken).toBe("");
  return page.jobOpenings.map((o) => o.id);
}

describe("creating and reading job openings", () => {
  it("creates a draft, normalized, and reads it back", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const created = await create(acme, {
      title: "  Staff Engineer ",
      departmentId: ENGINEERING.toUpperCase(),
      headcount: 3,
      description: "Line one\r\nLine two\n\n\tindented  ",
    });
    expect(created).toMatchObject({
      title: "Staff Engineer",
      departmentId: ENGINEERING,
      headcount: 3,
      description: "Line one\nLine two\n\n\tindented",
      status: DRAFT,
    });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.etag).not.toBe("");
    expect(created.createTime).toBeInstanceOf(Date);
    expect(created.updateTime).toEqual(created.createTime);
    expect(await read(acme, created.id)).toEqual(created);
    expect(await read(acme, created.id.toUpperCase())).toEqual(created);
    expect(await rowsOf(tenant)).toBe(1);
  });

  it("accepts the limits: 200-character title, headcount 1000, 5000-character description", async () => {
    const acme = await as(newTenant());
    const created = await create(acme, { title: "é".repeat(200), headcount: 1000, description: "😀".repeat(5000) });
    expect(await read(acme, created.id)).toEqual(created);
  });
});

describe("the status lifecycle", () => {
  it("publishes a draft, holds it, resumes it and fills it", async () => {
    const acme = await as(newTenant());
    const draft = await create(acme);
    const opened = await open(acme, draft);
    expect(opened.status).toBe(OPEN);
    expect(opened.etag).not.toBe(draft.etag);
    const held = await hold(acme, opened);
    expect(held.status).toBe(ON_HOLD);
    const resumed = await open(acme, held);
    expect(resumed.status).toBe(OPEN);
    const filled = await close(acme, resumed, AS_FILLED);
    expect(filled).toMatchObject({ status: FILLED, title: draft.title, headcount: draft.headcount });
    expect(await read(acme, draft.id)).toEqual(filled);
  });

  it("closes a draft, an open and an on-hold opening as CLOSED, and fills one on hold", async () => {
    const acme = await as(newTenant());
    expect((await close(acme, await openingIn(acme, DRAFT), AS_CLOSED)).status).toBe(CLOSED);
    expect((await close(acme, await openingIn(acme, OPEN), AS_CLOSED)).status).toBe(CLOSED);
    expect((await close(acme, await openingIn(acme, ON_HOLD), AS_CLOSED)).status).toBe(CLOSED);
    expect((await close(acme, await openingIn(acme, ON_HOLD), AS_FILLED)).status).toBe(FILLED);
  });

  // Every move the machine refuses: [status, command, status the command moves to].
  const REFUSED: (readonly [JobOpeningStatus, "open" | "hold" | "fill" | "close", string])[] = [
    [DRAFT, "hold", "ON_HOLD"],
    [DRAFT, "fill", "FILLED"],
    [OPEN, "open", "OPEN"],
    [ON_HOLD, "hold", "ON_HOLD"],
    ...[CLOSED, FILLED].flatMap((s) => [
      [s, "open", "OPEN"] as const,
      [s, "hold", "ON_HOLD"] as const,
      [s, "fill", "FILLED"] as const,
      [s, "close", "CLOSED"] as const,
    ]),
  ];

  it.each(REFUSED)("refuses %s → %s with ILLEGAL_STATUS_TRANSITION and changes nothing", async (status, cmd, to) => {
    const acme = await as(newTenant());
    const o = await openingIn(acme, status);
    const attempts = {
      open: () => talent.jobOpenings.openJobOpening(command(o), acme),
      hold: () => talent.jobOpenings.holdJobOpening(command(o), acme),
      fill: () => talent.jobOpenings.closeJobOpening({ ...command(o), outcome: AS_FILLED }, acme),
      close: () => talent.jobOpenings.closeJobOpening({ ...command(o), outcome: AS_CLOSED }, acme),
    };
    const error = await expectError(attempts[cmd](), Status.FAILED_PRECONDITION);
    expect(error.reason).toBe("ILLEGAL_STATUS_TRANSITION");
    expect(error.preconditions).toEqual(["ILLEGAL_STATUS_TRANSITION"]);
    expect(error.message).toContain(`from ${JobOpeningStatus[status].replace("JOB_OPENING_STATUS_", "")} to ${to}`);
    expect(await read(acme, o.id)).toEqual(o);
  });

  it("keeps a CLOSED or FILLED opening read-only to updates", async () => {
    const acme = await as(newTenant());
    for (const status of [CLOSED, FILLED]) {
      const o = await openingIn(acme, status);
      const error = await expectError(
        talent.jobOpenings.updateJobOpening(
          { requestId: randomUUID(), jobOpening: { ...o, title: "Reopened?" }, updateMask: ["title"] },
          acme,
        ),
        Status.FAILED_PRECONDITION,
      );
      expect(error.reason).toBe("JOB_OPENING_CLOSED");
      expect(await read(acme, o.id)).toEqual(o);
    }
  });
});

describe("validation", () => {
  it("names every bad field of a create at once and writes nothing", async () => {
    const tenant = newTenant();
    const error = await expectError(
      talent.jobOpenings.createJobOpening(
        createRequest({ title: "", departmentId: "engineering", headcount: 0, description: "a\u0000b" }),
        await as(tenant),
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields.sort()).toEqual(["department_id", "description", "headcount", "title"]);
    expect(await rowsOf(tenant)).toBe(0);
  });

  it("refuses empty, huge and malformed values, writes nothing, and keeps serving", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const huge = "x".repeat(10_000);
    const cases: [Partial<CreateJobOpeningRequest>, string][] = [
      [{ title: "   " }, "title"],
      [{ title: huge }, "title"],
      [{ title: "Eng\u001bineer" }, "title"],
      [{ departmentId: "" }, "department_id"],
      [{ departmentId: huge }, "department_id"],
      [{ departmentId: "2025-02-30" }, "department_id"],
      [{ headcount: -5 }, "headcount"],
      [{ headcount: 1001 }, "headcount"],
      [{ headcount: 2_147_483_647 }, "headcount"],
      [{ description: huge }, "description"],
      [{ description: "x".repeat(5001) }, "description"],
    ];
    for (const [overrides, field] of cases) {
      const error = await expectError(
        talent.jobOpenings.createJobOpening(createRequest(overrides), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(overrides).slice(0, 80)).toEqual([field]);
    }
    expect(await rowsOf(tenant)).toBe(0);
    const created = await create(acme);
    expect(await listIds(acme)).toEqual([created.id]);
  });

  it("refuses unknown enum values and malformed ids, and changes nothing", async () => {
    const acme = await as(newTenant());
    const o = await openingIn(acme, OPEN);
    const unknown: number = 99;
    for (const outcome of [unknown as CloseOutcome, CloseOutcome.CLOSE_OUTCOME_UNSPECIFIED]) {
      const error = await expectError(
        talent.jobOpenings.closeJobOpening({ ...command(o), outcome }, acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields).toEqual(["outcome"]);
    }
    const listError = await expectError(
      talent.jobOpenings.listJobOpenings({ pageSize: 10, status: unknown as JobOpeningStatus }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(listError.fields).toEqual(["status"]);
    const badDepartment = await expectError(
      talent.jobOpenings.listJobOpenings({ pageSize: 10, departmentId: "sales" }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(badDepartment.fields).toEqual(["department_id"]);
    for (const id of ["", "not-a-uuid", "x".repeat(10_000)]) {
      const error = await expectError(talent.jobOpenings.getJobOpening({ id }, acme), Status.INVALID_ARGUMENT);
      expect(error.fields).toEqual(["id"]);
      await expectError(talent.jobOpenings.openJobOpening({ ...command(o), id }, acme), Status.INVALID_ARGUMENT);
    }
    expect(await read(acme, o.id)).toEqual(o);
  });

  it("names every bad field of an update at once and changes nothing", async () => {
    const acme = await as(newTenant());
    const o = await create(acme);
    const error = await expectError(
      talent.jobOpenings.updateJobOpening(
        {
          requestId: randomUUID(),
          jobOpening: { ...o, title: "x".repeat(10_000), headcount: 0, description: "\u0007", departmentId: "x" },
          updateMask: ["title", "headcount", "description", "department_id"],
        },
        acme,
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields.sort()).toEqual(["department_id", "description", "headcount", "title"]);
    expect(await read(acme, o.id)).toEqual(o);
  });
});

describe("update mask", () => {
  it("changes only the fields named in the mask", async () => {
    const acme = await as(newTenant());
    const o = await openingIn(acme, OPEN);
    const everythingChanged: JobOpening = {
      ...o,
      title: "Sales Lead",
      departmentId: SALES,
      headcount: 7,
      description: "Changed",
      status: FILLED,
    };
    const { jobOpening: updated } = await talent.jobOpenings.updateJobOpening(
      { requestId: randomUUID(), jobOpening: everythingChanged, updateMask: ["headcount", "department_id"] },
      acme,
    );
    expect(updated).toEqual({
      ...o,
      headcount: 7,
      departmentId: SALES,
      etag: updated?.etag,
      updateTime: updated?.updateTime,
    });
    expect(updated?.etag).not.toBe(o.etag);
    expect(await read(acme, o.id)).toEqual(updated);
  });

  it("refuses an empty mask and unknown paths, and changes nothing", async () => {
    const acme = await as(newTenant());
    const o = await create(acme);
    for (const updateMask of [undefined, [], ["status"], ["etag"], ["title", "nonsense"]]) {
      const error = await expectError(
        talent.jobOpenings.updateJobOpening(
          { requestId: randomUUID(), jobOpening: { ...o, title: "Changed" }, updateMask },
          acme,
        ),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(updateMask)).toEqual(["update_mask"]);
    }
    expect(await read(acme, o.id)).toEqual(o);
  });

  it("accepts camelCase paths as sent by JSON clients", async () => {
    const acme = await as(newTenant());
    const o = await create(acme);
    const { jobOpening: updated } = await talent.jobOpenings.updateJobOpening(
      {
        requestId: randomUUID(),
        jobOpening: { ...o, departmentId: SALES, title: "Ignored" },
        updateMask: ["departmentId"],
      },
      acme,
    );
    expect(updated).toMatchObject({ departmentId: SALES, title: o.title });
  });
});

describe("optimistic concurrency in the repository", () => {
  it("refuses in the repository a save based on a version another save already replaced", async () => {
    // Two calls over gRPC rarely interleave between load and save; here both build on the same loaded state.
    const tenant = newTenant();
    const acme = await as(tenant);
    const draft = await create(acme);
    const db = openSqlDatabase(talent.databaseUrl, 1);
    try {
      const repository = new JobOpeningRepository(db);
      const loaded = await repository.get(tenant, draft.id);
      if (loaded === undefined) throw new Error("the opening was not saved");
      const time = new Date().toISOString();
      const opened = openJobOpening(loaded, time);
      await repository.update(opened, loaded);
      const late = repository.update(holdJobOpening(opened, time), loaded);
      await expect(late).rejects.toMatchObject({ kind: "aborted", reason: "ETAG_MISMATCH" });
    } finally {
      await db.end();
    }
    expect((await read(acme, draft.id)).status).toBe(OPEN);
  });
});

describe("listing", () => {
  it("filters by status and department, combined with AND", async () => {
    const acme = await as(newTenant());
    const engDraft = await create(acme, { departmentId: ENGINEERING });
    const engOpen = await openingIn(acme, OPEN);
    const salesOpen = await open(acme, await create(acme, { departmentId: SALES }));
    const engHeld = await openingIn(acme, ON_HOLD);
    const engFilled = await openingIn(acme, FILLED);

    expect(await listIds(acme)).toEqual([engDraft.id, engOpen.id, salesOpen.id, engHeld.id, engFilled.id]);
    expect(await listIds(acme, { departmentId: ENGINEERING })).toEqual([
      engDraft.id,
      engOpen.id,
      engHeld.id,
      engFilled.id,
    ]);
    expect(await listIds(acme, { departmentId: SALES.toUpperCase() })).toEqual([salesOpen.id]);
    expect(await listIds(acme, { status: OPEN })).toEqual([engOpen.id, salesOpen.id]);
    expect(await listIds(acme, { status: DRAFT })).toEqual([engDraft.id]);
    expect(await listIds(acme, { status: ON_HOLD })).toEqual([engHeld.id]);
    expect(await listIds(acme, { status: FILLED })).toEqual([engFilled.id]);
    expect(await listIds(acme, { status: CLOSED })).toEqual([]);
    expect(await listIds(acme, { status: OPEN, departmentId: SALES })).toEqual([salesOpen.id]);
    expect(await listIds(acme, { status: DRAFT, departmentId: SALES })).toEqual([]);
  });
});
