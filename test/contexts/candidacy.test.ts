import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Status } from "nice-grpc";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Application,
  ApplicationStage,
  type ListApplicationsRequest,
  type SubmitApplicationRequest,
} from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { openSqlDatabase } from "../../runtime/db/sql.js";
import { advanceApplication, rejectApplication } from "../../services/talent/candidacy/application.js";
import { ApplicationRepository } from "../../services/talent/candidacy/application-repository.js";
import { as, bearer, type Caller, newTenant, tokenOf } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { startTalent, type TalentUnderTest } from "../support/talent-under-test.js";

// The candidacy context (hr.candidacy.v1.ApplicationService) through its
// generated client against a real talent server and database.
// Tenancy, request ids, etags and paging: test/conventions/candidacy.test.ts.
// Run alone: npm test -- test/contexts/candidacy.test.ts

let talent: TalentUnderTest;
beforeAll(async () => {
  talent = await startTalent();
});
afterAll(() => talent?.stop());

/** Call options of user `userId` of `tenantId`: the actor the history must record. */
async function asUser(tenantId: string, userId: string): Promise<Caller> {
  return bearer(await tokenOf(tenantId, userId, ["recruiter"]), tenantId);
}

const {
  APPLICATION_STAGE_UNSPECIFIED: UNSPECIFIED,
  APPLICATION_STAGE_APPLIED: APPLIED,
  APPLICATION_STAGE_SCREENING: SCREENING,
  APPLICATION_STAGE_INTERVIEW: INTERVIEW,
  APPLICATION_STAGE_OFFER: OFFER,
  APPLICATION_STAGE_HIRED: HIRED,
  APPLICATION_STAGE_REJECTED: REJECTED,
  APPLICATION_STAGE_WITHDRAWN: WITHDRAWN,
} = ApplicationStage;
const FORWARD = [APPLIED, SCREENING, INTERVIEW, OFFER, HIRED];
const shown = (stage: ApplicationStage) => ApplicationStage[stage].replace("APPLICATION_STAGE_", "");

// Job openings live in the requisition context and are not checked here: any UUID will do.
const submitRequest = (overrides: Partial<SubmitApplicationRequest> = {}): SubmitApplicationRequest => ({
  requestId: randomUUID(),
  jobOpeningId: randomUUID(),
  candidateName: "Ada Lovelace",
  candidateEmail: `ada.${randomUUID().slice(0, 8)}@example.com`,
  ...overrides,
});

function present(application: Application | undefined): Application {
  if (application === undefined) throw new Error("the response carries no application");
  return application;
}

async function submit(caller: Caller, overrides: Partial<SubmitApplicationRequest> = {}): Promise<Application> {
  return present((await talent.applications.submitApplication(submitRequest(overrides), caller)).application);
}

async function read(caller: Caller, id: string): Promise<Application> {
  return present((await talent.applications.getApplication({ id }, caller)).application);
}

const command = (a: Application, note = "") => ({ requestId: randomUUID(), id: a.id, etag: a.etag, note });

async function advance(caller: Caller, a: Application, toStage: ApplicationStage, note = ""): Promise<Application> {
  return present((await talent.applications.advanceApplication({ ...command(a, note), toStage }, caller)).application);
}

async function reject(caller: Caller, a: Application, note = ""): Promise<Application> {
  return present((await talent.applications.rejectApplication(command(a, note), caller)).application);
}

async function withdraw(caller: Caller, a: Application, note = ""): Promise<Application> {
  return present((await talent.applications.withdrawApplication(command(a, note), caller)).application);
}

/** An application in `stage`, reached through the commands. */
async function applicationIn(caller: Caller, stage: ApplicationStage): Promise<Application> {
  let a = await submit(caller);
  if (stage === REJECTED) return reject(caller, a);
  if (stage === WITHDRAWN) return withdraw(caller, a);
  for (const next of FORWARD.slice(1, FORWARD.indexOf(stage) + 1)) a = await advance(caller, a, next);
  return a;
}

const rowsOf = (tenantId: string) => talent.db.application.count({ where: { tenantId } });
const historyRowsOf = (tenantId: string) => talent.db.stageChange.count({ where: { tenantId } });

async function listIds(caller: Caller, filter: Partial<ListApplicationsRequest> = {}): Promise<string[]> {
  const page = await talent.applications.listApplications({ pageSize: 200, ...filter }, caller);
  expect(page.nextPageToken).toBe("");
  return page.applications.map((a) => a.id);
}

describe("submitting and reading applications", () => {
  it("submits in stage APPLIED, normalized, with the submission as first history entry", async () => {
    const tenant = newTenant();
    const candidatePortal = await asUser(tenant, "candidate-portal");
    const opening = randomUUID();
    const a = await submit(candidatePortal, {
      jobOpeningId: opening.toUpperCase(),
      candidateName: "  Ada Lovelace ",
      candidateEmail: "  Ada.Lovelace@Example.COM ",
    });
    expect(a).toMatchObject({
      jobOpeningId: opening,
      candidateName: "Ada Lovelace",
      candidateEmail: "ada.lovelace@example.com",
      stage: APPLIED,
    });
    expect(a.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(a.history).toEqual([
      { fromStage: UNSPECIFIED, toStage: APPLIED, actor: "candidate-portal", changeTime: a.createTime, note: "" },
    ]);
    expect(await read(candidatePortal, a.id)).toEqual(a);
    expect(await read(candidatePortal, a.id.toUpperCase())).toEqual(a);
    expect(await rowsOf(tenant)).toBe(1);
    expect(await historyRowsOf(tenant)).toBe(1);
  });
});

describe("the stage machine and its history", () => {
  it("walks to HIRED, recording each move's actor, note and time in order", async () => {
    const tenant = newTenant();
    const portal = await asUser(tenant, "portal");
    const screener = await asUser(tenant, "screener");
    const recruiter = await asUser(tenant, "recruiter");
    const manager = await asUser(tenant, "manager");
    const submitted = await submit(portal);
    const screening = await advance(screener, submitted, SCREENING, "CV fits");
    const interview = await advance(recruiter, screening, INTERVIEW);
    const offer = await advance(manager, interview, OFFER, "Strong yes.\nOffer at band 3.");
    const hired = await advance(recruiter, offer, HIRED, "signed");
    expect(hired.stage).toBe(HIRED);
    expect(new Set([submitted, screening, interview, offer, hired].map((a) => a.etag)).size).toBe(5);
    expect(hired.history.map((c) => [shown(c.fromStage), shown(c.toStage), c.actor, c.note])).toEqual([
      ["UNSPECIFIED", "APPLIED", "portal", ""],
      ["APPLIED", "SCREENING", "screener", "CV fits"],
      ["SCREENING", "INTERVIEW", "recruiter", ""],
      ["INTERVIEW", "OFFER", "manager", "Strong yes.\nOffer at band 3."],
      ["OFFER", "HIRED", "recruiter", "signed"],
    ]);
    const times = hired.history.map((c) => c.changeTime?.getTime() ?? Number.NaN);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(hired.history.at(-1)?.changeTime).toEqual(hired.updateTime);
    // Earlier entries are never rewritten: each response's history is a prefix of the next.
    expect(hired.history.slice(0, 4)).toEqual(offer.history);
    expect(await read(portal, hired.id)).toEqual(hired);

    const rows = await talent.db.stageChange.findMany({ where: { applicationId: hired.id }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => [r.seq, r.fromStage, r.toStage, r.actor])).toEqual([
      [1, null, "applied", "portal"],
      [2, "applied", "screening", "screener"],
      [3, "screening", "interview", "recruiter"],
      [4, "interview", "offer", "manager"],
      [5, "offer", "hired", "recruiter"],
    ]);
  });

  it("rejects and withdraws from any stage before HIRED, with the actor and note", async () => {
    const tenant = newTenant();
    const recruiter = await asUser(tenant, "recruiter");
    const candidate = await asUser(tenant, "candidate");
    for (const stage of [APPLIED, SCREENING, INTERVIEW, OFFER]) {
      const rejected = await reject(recruiter, await applicationIn(recruiter, stage), "not a fit");
      expect(rejected.stage).toBe(REJECTED);
      expect(rejected.history.at(-1)).toMatchObject({ fromStage: stage, toStage: REJECTED, actor: "recruiter" });
      const withdrawn = await withdraw(candidate, await applicationIn(recruiter, stage), "took another job");
      expect(withdrawn.stage).toBe(WITHDRAWN);
      expect(withdrawn.history.at(-1)).toMatchObject({
        fromStage: stage,
        toStage: WITHDRAWN,
        actor: "candidate",
        note: "took another job",
      });
    }
  });

  // A representative set of the moves the machine refuses (every pair is in test/unit/application.test.ts):
  // skips, moves back, moves to the same stage, and any move out of a final stage.
  const REFUSED: [ApplicationStage, "advance" | "reject" | "withdraw", ApplicationStage][] = [
    [APPLIED, "advance", INTERVIEW],
    [APPLIED, "advance", HIRED],
    [SCREENING, "advance", OFFER],
    [APPLIED, "advance", APPLIED],
    [INTERVIEW, "advance", INTERVIEW],
    [OFFER, "advance", SCREENING],
    [SCREENING, "advance", APPLIED],
    [HIRED, "advance", HIRED],
    [HIRED, "reject", REJECTED],
    [HIRED, "withdraw", WITHDRAWN],
    [REJECTED, "advance", SCREENING],
    [REJECTED, "withdraw", WITHDRAWN],
    [REJECTED, "reject", REJECTED],
    [WITHDRAWN, "advance", SCREENING],
    [WITHDRAWN, "reject", REJECTED],
  ];

  it.each(REFUSED.map(([from, cmd, to]) => [shown(from), cmd, shown(to), from, to] as const))(
    "refuses %s → %s %s with ILLEGAL_STAGE_TRANSITION and changes nothing",
    async (_from, cmd, _to, from, to) => {
      const tenant = newTenant();
      const acme = await as(tenant);
      const a = await applicationIn(acme, from);
      const historyBefore = await historyRowsOf(tenant);
      const attempts = {
        advance: () => talent.applications.advanceApplication({ ...command(a), toStage: to }, acme),
        reject: () => talent.applications.rejectApplication(command(a), acme),
        withdraw: () => talent.applications.withdrawApplication(command(a), acme),
      };
      const error = await expectError(attempts[cmd](), Status.FAILED_PRECONDITION);
      expect(error.reason).toBe("ILLEGAL_STAGE_TRANSITION");
      expect(error.preconditions).toEqual(["ILLEGAL_STAGE_TRANSITION"]);
      expect(error.message).toContain(`from ${shown(from)} to ${shown(to)}`);
      expect(await read(acme, a.id)).toEqual(a);
      expect(await historyRowsOf(tenant)).toBe(historyBefore);
    },
  );
});

describe("one active application per candidate and opening", () => {
  it("refuses a second active application of the same email to the same opening", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const first = await submit(acme, { candidateEmail: "ada@example.com" });
    const screened = await advance(acme, first, SCREENING);
    const error = await expectError(
      talent.applications.submitApplication(
        submitRequest({ jobOpeningId: first.jobOpeningId.toUpperCase(), candidateEmail: " ADA@Example.com " }),
        acme,
      ),
      Status.ALREADY_EXISTS,
    );
    expect(error.reason).toBe("ACTIVE_APPLICATION_EXISTS");
    expect(error.fields).toEqual(["candidate_email"]);
    expect(await rowsOf(tenant)).toBe(1);
    expect(await historyRowsOf(tenant)).toBe(2);
    expect(await read(acme, first.id)).toEqual(screened);
  });

  it("allows the same email on another opening and in another tenant", async () => {
    const acme = await as(newTenant());
    const first = await submit(acme, { candidateEmail: "ada@example.com" });
    await submit(acme, { candidateEmail: "ada@example.com" });
    await submit(await as(newTenant()), { candidateEmail: "ada@example.com", jobOpeningId: first.jobOpeningId });
  });

  it("allows a new application once the earlier one was withdrawn, rejected or hired", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const jobOpeningId = randomUUID();
    const same = { jobOpeningId, candidateEmail: "grace@example.com" };
    const first = await withdraw(acme, await submit(acme, same));
    const second = await submit(acme, same);
    expect(second.id).not.toBe(first.id);
    expect(second.stage).toBe(APPLIED);
    await reject(acme, await advance(acme, second, SCREENING));
    let third = await submit(acme, same);
    for (const stage of [SCREENING, INTERVIEW, OFFER, HIRED]) third = await advance(acme, third, stage);
    const fourth = await submit(acme, same);
    // While the fourth is active, a fifth is refused again: ended ones do not count, active ones do.
    const error = await expectError(
      talent.applications.submitApplication(submitRequest(same), acme),
      Status.ALREADY_EXISTS,
    );
    expect(error.reason).toBe("ACTIVE_APPLICATION_EXISTS");
    expect(await listIds(acme, { jobOpeningId })).toEqual([first.id, second.id, third.id, fourth.id]);
    expect(await listIds(acme, { jobOpeningId, stage: APPLIED })).toEqual([fourth.id]);
  });

  it("lets exactly one of concurrent submissions with different request ids win", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    for (let round = 0; round < 5; round++) {
      const same = { jobOpeningId: randomUUID(), candidateEmail: `race.${round}@example.com` };
      const outcomes = await Promise.allSettled([
        talent.applications.submitApplication(submitRequest(same), acme),
        talent.applications.submitApplication(
          submitRequest({ ...same, candidateEmail: same.candidateEmail.toUpperCase() }),
          acme,
        ),
        talent.applications.submitApplication(submitRequest(same), acme),
      ]);
      const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [present(o.value.application)] : []));
      const lost = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
      expect(won, `round ${round}`).toHaveLength(1);
      for (const reason of lost) {
        const error = await expectError(Promise.reject(reason), Status.ALREADY_EXISTS);
        expect(error.reason).toBe("ACTIVE_APPLICATION_EXISTS");
      }
      expect(await listIds(acme, { jobOpeningId: same.jobOpeningId })).toEqual([won[0]?.id]);
    }
    expect(await rowsOf(tenant)).toBe(5);
    expect(await historyRowsOf(tenant)).toBe(5);
  });
  it("makes a submission racing an uncommitted one wait for its commit, then refuses it and records nothing", async () => {
    // Deterministic version of the race above: the first insert is held open in a transaction of our own.
    const tenant = newTenant();
    const acme = await as(tenant);
    const jobOpeningId = randomUUID();
    const first = new pg.Client({ connectionString: talent.databaseUrl });
    await first.connect();
    try {
      await first.query("BEGIN");
      await first.query(
        `INSERT INTO applications (id, tenant_id, job_opening_id, candidate_name, candidate_email, stage, version,
           create_time, update_time) VALUES ($1, $2, $3, 'Early Bird', 'bird@example.com', 'applied', 1, now(), now())`,
        [randomUUID(), tenant, jobOpeningId],
      );
      const request = submitRequest({ jobOpeningId, candidateEmail: "Bird@Example.com" });
      const racing = talent.applications.submitApplication(request, acme);
      const settled = racing.then(
        () => "settled",
        () => "settled",
      );
      expect(await Promise.race([settled, sleep(300, "waiting")])).toBe("waiting");
      await first.query("COMMIT");
      const error = await expectError(racing, Status.ALREADY_EXISTS);
      expect(error.reason).toBe("ACTIVE_APPLICATION_EXISTS");
    } finally {
      await first.end();
    }
    expect(await rowsOf(tenant)).toBe(1);
    expect(await historyRowsOf(tenant)).toBe(0);
    expect(await talent.db.idempotencyRecord.count({ where: { tenantId: tenant } })).toBe(0);
  });
});

describe("validation", () => {
  it("names every bad field of a submission at once and writes nothing", async () => {
    const tenant = newTenant();
    const error = await expectError(
      talent.applications.submitApplication(
        submitRequest({ jobOpeningId: "job-1", candidateName: "", candidateEmail: "ada.example.com" }),
        await as(tenant),
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields.sort()).toEqual(["candidate_email", "candidate_name", "job_opening_id"]);
    expect(await rowsOf(tenant)).toBe(0);
  });

  it("refuses empty, huge and malformed values, writes nothing, and keeps serving", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const huge = "x".repeat(10_000);
    const cases: [Partial<SubmitApplicationRequest>, string][] = [
      [{ jobOpeningId: "" }, "job_opening_id"],
      [{ jobOpeningId: huge }, "job_opening_id"],
      [{ jobOpeningId: "2025-02-30" }, "job_opening_id"],
      [{ candidateName: "   " }, "candidate_name"],
      [{ candidateName: huge }, "candidate_name"],
      [{ candidateName: "Ada\u0000" }, "candidate_name"],
      [{ candidateEmail: "" }, "candidate_email"],
      [{ candidateEmail: `${huge}@example.com` }, "candidate_email"],
      [{ candidateEmail: "ada\u0007@example.com" }, "candidate_email"],
    ];
    for (const [overrides, field] of cases) {
      const error = await expectError(
        talent.applications.submitApplication(submitRequest(overrides), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(overrides).slice(0, 80)).toEqual([field]);
    }
    expect(await rowsOf(tenant)).toBe(0);
    const a = await submit(acme);
    expect(await listIds(acme)).toEqual([a.id]);
  });

  it("refuses bad stages, notes and ids on commands, and changes nothing", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const a = await submit(acme);
    const unknown = 99 as ApplicationStage;
    const huge = "x".repeat(10_000);
    const cases: [() => Promise<unknown>, string[]][] = [
      [() => talent.applications.advanceApplication({ ...command(a), toStage: UNSPECIFIED }, acme), ["to_stage"]],
      [() => talent.applications.advanceApplication({ ...command(a), toStage: unknown }, acme), ["to_stage"]],
      [() => talent.applications.advanceApplication({ ...command(a), toStage: REJECTED }, acme), ["to_stage"]],
      [() => talent.applications.advanceApplication({ ...command(a), toStage: WITHDRAWN }, acme), ["to_stage"]],
      [
        () => talent.applications.advanceApplication({ ...command(a, huge), toStage: WITHDRAWN }, acme),
        ["note", "to_stage"],
      ],
      [() => talent.applications.advanceApplication({ ...command(a, huge), toStage: SCREENING }, acme), ["note"]],
      [() => talent.applications.rejectApplication(command(a, "x".repeat(1001)), acme), ["note"]],
      [() => talent.applications.withdrawApplication(command(a, "bell\u0007"), acme), ["note"]],
      [() => talent.applications.rejectApplication({ ...command(a), id: "not-a-uuid" }, acme), ["id"]],
      [() => talent.applications.getApplication({ id: huge }, acme), ["id"]],
      [() => talent.applications.listApplications({ pageSize: 10, stage: unknown }, acme), ["stage"]],
      [() => talent.applications.listApplications({ pageSize: 10, jobOpeningId: "job-1" }, acme), ["job_opening_id"]],
    ];
    for (const [attempt, fields] of cases) {
      const error = await expectError(attempt(), Status.INVALID_ARGUMENT);
      expect(error.fields.sort()).toEqual(fields);
    }
    expect(await read(acme, a.id)).toEqual(a);
    expect(await historyRowsOf(tenant)).toBe(1);
  });
});

describe("optimistic concurrency in the repository", () => {
  it("refuses in the repository a save based on a version another save already replaced", async () => {
    // Two calls over gRPC rarely interleave between load and save; here both build on the same loaded state.
    const tenant = newTenant();
    const a = await submit(await as(tenant));
    const db = openSqlDatabase(talent.databaseUrl, 1);
    try {
      const repository = new ApplicationRepository(db);
      const loaded = await repository.get(tenant, a.id);
      if (loaded === undefined) throw new Error("the application was not saved");
      const move = { actor: "someone", note: "" };
      const time = new Date().toISOString();
      await repository.update(advanceApplication(loaded, "screening", move, time), loaded);
      const late = repository.update(rejectApplication(loaded, move, time), loaded);
      await expect(late).rejects.toMatchObject({ kind: "aborted", reason: "ETAG_MISMATCH" });
      expect((await repository.get(tenant, a.id))?.stage).toBe("screening");
    } finally {
      await db.end();
    }
    expect(await historyRowsOf(tenant)).toBe(2);
  });
});

describe("listing", () => {
  it("filters by job opening and stage, combined with AND", async () => {
    const acme = await as(newTenant());
    const [backend, sales] = [randomUUID(), randomUUID()];
    const ada = await submit(acme, { jobOpeningId: backend });
    const grace = await advance(acme, await submit(acme, { jobOpeningId: backend }), SCREENING);
    const linus = await submit(acme, { jobOpeningId: sales });
    const ken = await reject(acme, await submit(acme, { jobOpeningId: backend }));

    expect(await listIds(acme)).toEqual([ada.id, grace.id, linus.id, ken.id]);
    expect(await listIds(acme, { jobOpeningId: backend })).toEqual([ada.id, grace.id, ken.id]);
    expect(await listIds(acme, { jobOpeningId: sales.toUpperCase() })).toEqual([linus.id]);
    expect(await listIds(acme, { stage: APPLIED })).toEqual([ada.id, linus.id]);
    expect(await listIds(acme, { stage: REJECTED })).toEqual([ken.id]);
    expect(await listIds(acme, { jobOpeningId: backend, stage: SCREENING })).toEqual([grace.id]);
    expect(await listIds(acme, { jobOpeningId: sales, stage: SCREENING })).toEqual([]);
    const page = await talent.applications.listApplications({ pageSize: 10, stage: SCREENING }, acme);
    expect(page.applications).toEqual([grace]);
  });
});
