import { v7 as uuidv7 } from "uuid";
import { ErrorReason } from "../../../generated/proto/hr/onboardingcase/v1/error_reason.js";
import {
  type OnboardingCaseServiceDefinition as Definition,
  type OnboardingCase as OnboardingCaseMessage,
  OnboardingCaseServiceDefinition,
} from "../../../generated/proto/hr/onboardingcase/v1/onboarding_case_service.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { VersionedCommands } from "../../../runtime/db/versioned-commands.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { invalidArgument, notFound } from "../../../runtime/domain/domain-error.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { requireId } from "../../../runtime/server/request-checks.js";
import {
  cancelCase,
  completeCancellation,
  type OnboardingCase,
  openCase,
  recordStepDone,
  recordStepFailed,
  resumeCase,
} from "./onboarding-case.js";
import { failedStepOf, newHireOf, statesOf, stepOf, toCaseMessage } from "./onboarding-case-proto.js";
import { type CaseFilter, OnboardingCaseRepository } from "./onboarding-case-repository.js";

const methods = OnboardingCaseServiceDefinition.methods;

/**
 * hr.onboardingcase.v1.OnboardingCaseService: validates, runs the domain
 * through the repository, maps to protobuf. Every command is versioned by
 * the case's etag, so of two process-manager replicas recording the same
 * step, one wins and the other is refused ABORTED.
 */
export function onboardingCaseRpc(db: SqlDatabase): BusinessService<typeof Definition> {
  const repository = (call: { signal: AbortSignal }) => new OnboardingCaseRepository(db.forCall(call.signal));
  const commands = new VersionedCommands(db, (tx) => new OnboardingCaseRepository(tx), {
    store: (repo) => repo,
    subject: (id) => `onboardingCases/${id}`,
    missing: (id) => notFound(ErrorReason.CASE_NOT_FOUND, id),
    message: (changed: OnboardingCase): { onboardingCase?: OnboardingCaseMessage } => ({
      onboardingCase: toCaseMessage(changed),
    }),
  });
  const { change } = commands;

  return {
    async getCase(request, call) {
      const id = requireId("id", request.id);
      const found = await commands.load(repository(call), call.caller.tenantId, id);
      return { onboardingCase: toCaseMessage(found) };
    },

    async listCases(request, call) {
      const pageSize = pageSizeOf(request.pageSize);
      const filter: CaseFilter = {
        states: statesOf("states", request.states),
        dueBefore: request.dueBefore?.toISOString(),
      };
      const afterId = decodePageToken(methods.listCases, request.pageToken, call.caller.tenantId, filter);
      const rows = await repository(call).list(call.caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(methods.listCases, rows, pageSize, call.caller.tenantId, filter);
      return { onboardingCases: items.map(toCaseMessage), nextPageToken };
    },

    async listTenantsWithDueCases(request, call) {
      if (request.dueBefore === undefined) {
        throw invalidArgument([{ field: "due_before", description: "is required" }]);
      }
      const limit = pageSizeOf(request.limit);
      const tenantIds = await repository(call).tenantsWithDueCases(request.dueBefore.toISOString(), limit);
      return { tenantIds };
    },

    async openCase(request, call) {
      return commands.run(call, methods.openCase, request, async (repo) => {
        const input = {
          id: uuidv7(),
          tenantId: call.caller.tenantId,
          newHire: newHireOf(request.newHire),
          applicationId: request.applicationId,
        };
        const opened = openCase(input, nowIso());
        await repo.insert(opened);
        return { onboardingCase: toCaseMessage(opened) };
      });
    },

    async recordStepDone(request, call) {
      const id = requireId("id", request.id);
      const step = stepOf("step", request.step);
      const outcome = {
        employeeId: request.employeeId,
        accountId: request.accountId,
        leaveAccountIds: request.leaveAccountIds,
      };
      return change(call, methods.recordStepDone, request, id, request.etag, (current) =>
        recordStepDone(current, step, outcome, nowIso()),
      );
    },

    async recordStepFailed(request, call) {
      const id = requireId("id", request.id);
      const failure = {
        step: failedStepOf("step", request.step),
        reason: request.reason,
        message: request.message,
        permanent: request.permanent,
        retryTime: request.retryTime?.toISOString() ?? null,
      };
      return change(call, methods.recordStepFailed, request, id, request.etag, (current) =>
        recordStepFailed(current, failure, nowIso()),
      );
    },

    async resumeCase(request, call) {
      const id = requireId("id", request.id);
      const newHire = newHireOf(request.newHire);
      return change(call, methods.resumeCase, request, id, request.etag, (current) =>
        resumeCase(current, newHire, nowIso()),
      );
    },

    async cancelCase(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.cancelCase, request, id, request.etag, (current) =>
        cancelCase(current, request.reason, nowIso()),
      );
    },

    async completeCancellation(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.completeCancellation, request, id, request.etag, (current) =>
        completeCancellation(current, nowIso()),
      );
    },
  };
}
