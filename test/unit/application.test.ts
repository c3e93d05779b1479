import { describe, expect, it } from "vitest";
import { DomainError } from "../../runtime/domain/domain-error.js";
import {
  APPLICATION_STAGES,
  type Application,
  type ApplicationStage,
  advanceApplication,
  isLegalMove,
  type NewApplication,
  rejectApplication,
  type StageChange,
  submitApplication,
  withdrawApplication,
} from "../../services/talent/candidacy/application.js";

const T0 = "2025-01-01T00:00:00.000Z";
const T1 = "2025-02-01T00:00:00.000Z";
const ID = "00000000-0000-4000-8000-000000000001";
const OPENING = "00000000-0000-4000-8000-0000000000a1";
const RECRUITER = { actor: "recruiter-1", note: "" };

/** The stages an application went through to reach `stage`, submission first. */
function pathTo(stage: ApplicationStage): ApplicationStage[] {
  const forward: ApplicationStage[] = ["applied", "screening", "interview", "offer", "hired"];
  return forward.includes(stage) ? forward.slice(0, forward.indexOf(stage) + 1) : ["applied", stage];
}

/** An application in `stage`, with the history leading there. */
function application(stage: ApplicationStage, overrides: Partial<Application> = {}): Application {
  const history = pathTo(stage).map(
    (toStage, i, path): StageChange => ({
      fromStage: path[i - 1] ?? null,
      toStage,
      actor: "u",
      changeTime: T0,
      note: "",
    }),
  );
  const base: Application = {
    ...{ id: ID, tenantId: "tenant-a", jobOpeningId: OPENING, candidateName: "Ada", candidateEmail: "ada@example.com" },
    ...{ stage, history, version: history.length, createTime: T0, updateTime: T0 },
  };
  return Object.freeze({ ...base, ...overrides });
}

function newApplication(overrides: Partial<NewApplication> = {}): NewApplication {
  const base = { id: ID, tenantId: "tenant-a", jobOpeningId: OPENING, candidateName: "Ada Lovelace" };
  return { ...base, candidateEmail: "ada@example.com", ...overrides };
}

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}

const fieldsOf = (error: DomainError): string[] => error.fieldViolations.map((v) => v.field);

/** The command a client would use to reach `to`. */
function moveTo(a: Application, to: ApplicationStage, note = ""): Application {
  const move = { ...RECRUITER, note };
  if (to === "rejected") return rejectApplication(a, move, T1);
  if (to === "withdrawn") return withdrawApplication(a, move, T1);
  return advanceApplication(a, to, move, T1);
}

describe("submitApplication", () => {
  it("submits in stage applied at version 1, normalized, with the submission as first history entry", () => {
    const input = newApplication({
      jobOpeningId: OPENING.toUpperCase(),
      candidateName: "  Ada Lovelace ",
      candidateEmail: "  Ada.Lovelace@Example.COM ",
    });
    const a = submitApplication(input, "candidate-portal", T1);
    expect(a).toEqual({
      ...{ id: ID, tenantId: "tenant-a", jobOpeningId: OPENING, candidateName: "Ada Lovelace" },
      ...{ candidateEmail: "ada.lovelace@example.com", stage: "applied", version: 1, createTime: T1, updateTime: T1 },
      history: [{ fromStage: null, toStage: "applied", actor: "candidate-portal", changeTime: T1, note: "" }],
    });
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it("lists every bad field at once", () => {
    const input = { jobOpeningId: "job-1", candidateName: " ", candidateEmail: "ada.example.com" };
    const error = refusal(() => submitApplication(newApplication(input), "u", T1));
    expect(error.kind).toBe("invalid_argument");
    expect(fieldsOf(error)).toEqual(["job_opening_id", "candidate_name", "candidate_email"]);
  });

  it.each([
    ["job_opening_id", { jobOpeningId: "" }],
    ["job_opening_id", { jobOpeningId: "x".repeat(10_000) }],
    ["candidate_name", { candidateName: "" }],
    ["candidate_name", { candidateName: "x".repeat(201) }],
    ["candidate_name", { candidateName: "Ada\u0000" }],
    ["candidate_email", { candidateEmail: "" }],
    ["candidate_email", { candidateEmail: "ada@example" }],
    ["candidate_email", { candidateEmail: `${"a".repeat(10_000)}@example.com` }],
  ])("refuses a bad %s: %j", (field, overrides) => {
    const error = refusal(() => submitApplication(newApplication(overrides), "u", T1));
    expect(fieldsOf(error)).toEqual([field]);
  });
});

describe("the stage machine", () => {
  const LEGAL = new Set([
    ...["applied→screening", "screening→interview", "interview→offer", "offer→hired"],
    ...["applied→rejected", "screening→rejected", "interview→rejected", "offer→rejected"],
    ...["applied→withdrawn", "screening→withdrawn", "interview→withdrawn", "offer→withdrawn"],
  ]);
  const pairs = APPLICATION_STAGES.flatMap((from) => APPLICATION_STAGES.map((to) => [from, to] as const));
  const legal = pairs.filter(([from, to]) => LEGAL.has(`${from}→${to}`));
  const illegal = pairs.filter(([from, to]) => !LEGAL.has(`${from}→${to}`));

  it("has 12 legal and 37 illegal moves among its 49 pairs, and isLegalMove agrees", () => {
    expect([pairs.length, legal.length, illegal.length]).toEqual([49, 12, 37]);
    for (const [from, to] of pairs) expect(isLegalMove(from, to), `${from}→${to}`).toBe(LEGAL.has(`${from}→${to}`));
  });

  it.each(legal)("moves %s → %s, appending to the history", (from, to) => {
    const a = application(from);
    const before = structuredClone(a);
    const moved = moveTo(a, to, "  went well\r\n  ");
    expect(moved).toEqual({
      ...before,
      stage: to,
      history: [
        ...before.history,
        { fromStage: from, toStage: to, actor: "recruiter-1", changeTime: T1, note: "went well" },
      ],
      version: before.version + 1,
      updateTime: T1,
    });
    expect(a).toEqual(before);
  });

  it.each(illegal)("refuses %s → %s", (from, to) => {
    const a = application(from);
    const error = refusal(() => moveTo(a, to));
    expect(error.kind).toBe("failed_precondition");
    expect(error.reason).toBe("ILLEGAL_STAGE_TRANSITION");
    expect(error.preconditionViolations).toEqual([
      { type: "ILLEGAL_STAGE_TRANSITION", subject: `applications/${ID}`, description: error.message },
    ]);
    expect(error.message).toContain(`from ${from.toUpperCase()} to ${to.toUpperCase()}`);
  });

  it("names the next stage when a step is skipped, and says a final stage is final", () => {
    expect(refusal(() => moveTo(application("applied"), "interview")).message).toMatch(/next stage is SCREENING/);
    expect(refusal(() => moveTo(application("hired"), "rejected")).message).toMatch(/HIRED is final/);
  });

  it("walks the whole way to hired, recording every actor and note in order", () => {
    let a = submitApplication(newApplication(), "candidate", T0);
    const steps = [
      ["screening", "screener", "CV fits"],
      ["interview", "recruiter", ""],
      ["offer", "hiring-manager", "strong yes"],
      ["hired", "recruiter", "signed"],
    ] as const;
    for (const [to, actor, note] of steps) a = advanceApplication(a, to, { actor, note }, T1);
    expect(a.stage).toBe("hired");
    expect(a.version).toBe(5);
    expect(a.history.map((c) => [c.fromStage, c.toStage, c.actor, c.note])).toEqual([
      [null, "applied", "candidate", ""],
      ["applied", "screening", "screener", "CV fits"],
      ["screening", "interview", "recruiter", ""],
      ["interview", "offer", "hiring-manager", "strong yes"],
      ["offer", "hired", "recruiter", "signed"],
    ]);
  });
});

describe("command input", () => {
  it("refuses the endings through advanceApplication: they have their own commands", () => {
    for (const to of ["rejected", "withdrawn"] as const) {
      const error = refusal(() => advanceApplication(application("applied"), to, RECRUITER, T1));
      expect(error.kind).toBe("invalid_argument");
      expect(fieldsOf(error)).toEqual(["to_stage"]);
    }
  });

  it("reports a bad to_stage and a bad note together", () => {
    const move = { actor: "u", note: "x".repeat(10_000) };
    const error = refusal(() => advanceApplication(application("applied"), "rejected", move, T1));
    expect(fieldsOf(error)).toEqual(["to_stage", "note"]);
  });

  it.each(["x".repeat(1001), "x".repeat(10_000), "bell\u0007", "nul\u0000"])("refuses the note %j", (note) => {
    for (const run of [
      () => advanceApplication(application("applied"), "screening", { actor: "u", note }, T1),
      () => rejectApplication(application("applied"), { actor: "u", note }, T1),
      () => withdrawApplication(application("applied"), { actor: "u", note }, T1),
    ]) {
      expect(fieldsOf(refusal(run))).toEqual(["note"]);
    }
  });

  it("checks the note before the stage, like every field check", () => {
    const error = refusal(() => rejectApplication(application("hired"), { actor: "u", note: "\u0000" }, T1));
    expect(error.kind).toBe("invalid_argument");
  });

  it("accepts a 1000-character note with line breaks and tabs", () => {
    const note = `${"é".repeat(500)}\n\t${"😀".repeat(498)}`;
    expect(rejectApplication(application("offer"), { actor: "u", note }, T1).history.at(-1)?.note).toBe(note);
  });
});
