import type { Logger } from "pino";
import { CaseState, type OnboardingCase } from "../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { detachedFromTrace, inNewTrace } from "../../runtime/tracing/tracing.js";
import type { CaseRunner } from "./case-runner.js";
import type { OnboardingClients } from "./onboarding-clients.js";
import type { ServiceIdentity } from "./service-identity.js";

/** The tenant the worker's cross-tenant read is made in: the read names no tenant's data. */
const WORKER_TENANT = "onboarding-worker";
const PAGE = 50;

/**
 * The background loop that runs onboarding cases: every poll interval (and
 * at once when nudged, after a StartOnboarding or a retry), it asks the
 * cases service which tenants have due cases, then each tenant's due cases,
 * and runs them. State lives in the cases only, so a restarted process
 * resumes where the last one was killed, and several replicas can run side
 * by side (the case's etag decides each step; a case this process is
 * already running is not started twice in it).
 */
export class CaseWorker {
  private readonly running = new Set<string>();
  private readonly stopped = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> = Promise.resolve();
  private again = false;

  constructor(
    private readonly clients: OnboardingClients,
    private readonly identity: ServiceIdentity,
    private readonly runner: CaseRunner,
    private readonly pollIntervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.nudge();
  }

  /** Runs a pass now (or right after the one running). */
  nudge(): void {
    if (this.stopped.signal.aborted) return;
    clearTimeout(this.timer);
    this.again = true;
    // Not in the trace of the call that nudged: the pass runs every tenant's cases, and arms the next poll.
    this.pass = detachedFromTrace(() => this.pass.then(() => this.loop()));
  }

  /** Stops polling and waits for the pass running, whose calls are cancelled. */
  async stop(): Promise<void> {
    this.stopped.abort();
    clearTimeout(this.timer);
    await this.pass;
  }

  private async loop(): Promise<void> {
    while (this.again && !this.stopped.signal.aborted) {
      this.again = false;
      try {
        await this.runDueCases();
      } catch (error) {
        if (!this.stopped.signal.aborted)
          this.logger.warn({ err: error }, "onboarding worker pass failed; next poll retries");
      }
    }
    if (!this.stopped.signal.aborted) {
      // One timer at a time, however many nudges queued passes behind this one.
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.nudge(), this.pollIntervalMs);
      this.timer.unref();
    }
  }

  private async runDueCases(): Promise<void> {
    const signal = this.stopped.signal;
    const now = new Date();
    const options = await this.identity.callOptions(WORKER_TENANT, signal);
    const { tenantIds } = await this.clients.cases.listTenantsWithDueCases({ dueBefore: now, limit: 200 }, options);
    for (const tenantId of tenantIds) {
      if (signal.aborted) return;
      const due = await this.dueCases(tenantId, now, signal);
      // A full page: more may be due, so another pass follows this one at once.
      if (due.length === PAGE) this.again = true;
      await Promise.all(due.map((c) => this.runOnce(tenantId, c, signal)));
    }
  }

  private async dueCases(tenantId: string, now: Date, signal: AbortSignal): Promise<OnboardingCase[]> {
    const options = await this.identity.callOptions(tenantId, signal);
    const states = [CaseState.CASE_STATE_IN_PROGRESS, CaseState.CASE_STATE_CANCELLING];
    const request = { pageSize: PAGE, pageToken: "", states, dueBefore: now };
    return (await this.clients.cases.listCases(request, options)).onboardingCases;
  }

  private async runOnce(tenantId: string, c: OnboardingCase, signal: AbortSignal): Promise<void> {
    if (this.running.has(c.id)) return;
    this.running.add(c.id);
    try {
      // Each run of a case is a trace of its own: its steps' calls, and the events they cause.
      const about = { "hr.tenant_id": tenantId, "hr.onboarding_case_id": c.id };
      await inNewTrace("run onboarding case", about, () => this.runner.run(tenantId, c, signal));
    } catch (error) {
      if (!signal.aborted)
        this.logger.warn({ err: error, tenantId, caseId: c.id }, "onboarding case run failed; next poll retries");
    } finally {
      this.running.delete(c.id);
    }
  }
}
