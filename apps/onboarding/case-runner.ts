import { randomUUID } from "node:crypto";
import { type CallOptions, Status } from "nice-grpc";
import type { Logger } from "pino";
import { EmployeeStatus } from "../../generated/proto/hr/employee/v1/employee_service.js";
import {
  CaseState,
  type OnboardingCase,
  Step,
} from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { requestIdFor } from "../../runtime/events/consumer.js";
import type { LoginSecret } from "./login-password.js";
import { offboardEmployee } from "./offboarding.js";
import type { OnboardingClients } from "./onboarding-clients.js";
import { hiredEmployeeId, runStep, type StepOutcome, stepRequestId } from "./onboarding-steps.js";
import type { ServiceIdentity } from "./service-identity.js";
import { failedWith, retryDelayMs, stepFailureOf } from "./step-failures.js";

export interface CaseRunnerOptions {
  clients: OnboardingClients;
  identity: ServiceIdentity;
  loginSecret: LoginSecret;
  retry: { baseMs: number; maxMs: number };
  logger: Logger;
}

/**
 * Carries one case as far as it goes now: each due step in turn, each
 * outcome recorded on the case with its etag, until the case completes,
 * stops, waits for a retry, or another runner (a replica, HR) changed it
 * first. A cancelling case is compensated. Safe to run anywhere at any time:
 * every command's request id derives from the case, so a step run twice is
 * a replay, and the etag lets one runner record each step.
 */
export class CaseRunner {
  constructor(private readonly o: CaseRunnerOptions) {}

  async run(tenantId: string, start: OnboardingCase, signal: AbortSignal): Promise<void> {
    let c: OnboardingCase | undefined = start;
    while (c !== undefined && !signal.aborted && isDue(c)) {
      const options = await this.o.identity.callOptions(tenantId, signal);
      if (c.state === CaseState.CASE_STATE_CANCELLING) {
        await this.compensate(tenantId, c, options, signal);
        return;
      }
      if (c.state !== CaseState.CASE_STATE_IN_PROGRESS) return;
      c = await this.step(tenantId, c, options, signal);
    }
  }

  /** Runs the current step and records its outcome; the case as recorded, or undefined when the record lost. */
  private async step(tenantId: string, c: OnboardingCase, options: CallOptions, signal: AbortSignal) {
    const { clients, loginSecret, logger } = this.o;
    const step = c.currentStep;
    let outcome: StepOutcome;
    try {
      outcome = await runStep(c, { clients, loginSecret, options });
    } catch (error) {
      if (signal.aborted) return undefined;
      await this.recordFailure(c, step, error, options);
      return undefined;
    }
    const request = { requestId: requestIdFor(c.id, `done/${c.etag}`), id: c.id, etag: c.etag, step, ...outcome };
    const recorded = await this.record(clients.cases.recordStepDone(request, options));
    logger.info({ tenantId, caseId: c.id, step: Step[step], recorded: recorded !== undefined }, "onboarding step done");
    if (recorded === undefined && outcome.employeeId !== "") await this.compensateIfCancelled(tenantId, c, outcome);
    return recorded;
  }

  private async recordFailure(c: OnboardingCase, step: Step, error: unknown, options: CallOptions) {
    const failure = stepFailureOf(error);
    const delay = retryDelayMs(c.attempts + 1, this.o.retry.baseMs, this.o.retry.maxMs);
    const retryTime = failure.permanent && step !== Step.STEP_UNSPECIFIED ? undefined : new Date(Date.now() + delay);
    // A fresh id: a failure is no effect to replay (its message and retry time
    // differ per attempt); the etag lets one failure record per version of the case.
    const requestId = randomUUID();
    const request = { requestId, id: c.id, etag: c.etag, step, ...failure, retryTime };
    await this.record(this.o.clients.cases.recordStepFailed(request, options));
    const log = { caseId: c.id, step: Step[step], reason: failure.reason, permanent: failure.permanent };
    this.o.logger.warn(log, failure.permanent ? "onboarding case stopped" : "onboarding step failed; will retry");
  }

  /**
   * Undoes what must not stay half-done: the hired employee is terminated on
   * their start date, and offboarding (the same function EmployeeTerminated
   * runs) disables their login and settles their leave accounts. Then the
   * case is CANCELLED. Every failure here is retried: undoing must finish.
   */
  private async compensate(tenantId: string, c: OnboardingCase, options: CallOptions, signal: AbortSignal) {
    const employeeId = hiredEmployeeId(c);
    try {
      if (employeeId !== "") await this.undoHire(tenantId, c, employeeId, options);
    } catch (error) {
      if (signal.aborted) return;
      await this.recordFailure(c, Step.STEP_UNSPECIFIED, error, options);
      return;
    }
    const request = { requestId: requestIdFor(c.id, `cancelled/${c.etag}`), id: c.id, etag: c.etag };
    await this.record(this.o.clients.cases.completeCancellation(request, options));
    this.o.logger.info({ tenantId, caseId: c.id, employeeId }, "onboarding cancelled and compensated");
  }

  private async undoHire(tenantId: string, c: OnboardingCase, employeeId: string, options: CallOptions) {
    const { employees } = this.o.clients;
    const { employee } = await employees.getEmployee({ id: employeeId }, options);
    const hireDate = employee?.hireDate ?? "";
    if (employee !== undefined && employee.status !== EmployeeStatus.EMPLOYEE_STATUS_TERMINATED) {
      const requestId = stepRequestId(c, `cancel/terminate/${employee.etag}`);
      const request = { requestId, id: employeeId, etag: employee.etag, effectiveDate: hireDate };
      await employees.terminateEmployee(request, options);
    }
    const termination = { tenantId, employeeId, lastDay: hireDate, eventId: `${c.id}/cancel` };
    await offboardEmployee(this.o.clients, termination, () => options);
  }

  /**
   * A step's outcome that could not be recorded because HR cancelled the
   * case meanwhile: the runner still knows the employee it hired, which the
   * case does not, so it undoes that hire now (the cancel's own compensation
   * may have run already, without it).
   */
  private async compensateIfCancelled(tenantId: string, before: OnboardingCase, outcome: StepOutcome) {
    const options = await this.o.identity.callOptions(tenantId);
    const { onboardingCase: now } = await this.o.clients.cases.getCase({ id: before.id }, options);
    const cancelled = now?.state === CaseState.CASE_STATE_CANCELLING || now?.state === CaseState.CASE_STATE_CANCELLED;
    if (now === undefined || !cancelled || hiredEmployeeId(now) !== "") return;
    await this.undoHire(tenantId, now, outcome.employeeId, options);
  }

  /** A case command's answer; undefined when another runner (or HR) changed the case first. */
  private async record(call: Promise<{ onboardingCase?: OnboardingCase }>): Promise<OnboardingCase | undefined> {
    try {
      return (await call).onboardingCase;
    } catch (error) {
      if (failedWith(error, Status.ABORTED) || failedWith(error, Status.FAILED_PRECONDITION)) return undefined;
      throw error;
    }
  }
}

/** Whether the case has something to run now. */
function isDue(c: OnboardingCase): boolean {
  return c.nextAttemptTime !== undefined && c.nextAttemptTime.getTime() <= Date.now();
}
