import { v7 as uuidv7 } from "uuid";
import {
  ApplicationServiceDefinition,
  type ApplicationServiceDefinition as Definition,
} from "../../../generated/proto/hr/candidacy/v1/application_service.js";
import { ErrorReason } from "../../../generated/proto/hr/candidacy/v1/error_reason.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { VersionedCommands } from "../../../runtime/db/versioned-commands.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { optionalId, requireId } from "../../../runtime/server/request-checks.js";
import {
  type Application,
  advanceApplication,
  rejectApplication,
  submitApplication,
  withdrawApplication,
} from "./application.js";
import { requiredStage, stageFilter, toApplicationMessage } from "./application-proto.js";
import { type ApplicationFilter, ApplicationRepository } from "./application-repository.js";

const methods = ApplicationServiceDefinition.methods;

/**
 * hr.candidacy.v1.ApplicationService: validates, runs the domain through the
 * repository, maps to protobuf. The actor of every stage change is the
 * verified caller's user id, never a request field.
 */
export function applicationRpc(db: SqlDatabase): BusinessService<typeof Definition> {
  const applications = (call: { signal: AbortSignal }) => new ApplicationRepository(db.forCall(call.signal));
  const commands = new VersionedCommands(db, (tx, outbox) => new ApplicationRepository(tx, outbox), {
    store: (repo) => repo,
    subject: (id) => `applications/${id}`,
    missing: (id) => notFound(ErrorReason.APPLICATION_NOT_FOUND, id),
    message: (changed: Application): { application?: ReturnType<typeof toApplicationMessage> } => ({
      application: toApplicationMessage(changed),
    }),
  });
  // Load → check etag → domain command → save, once per request id. No row
  // lock: a concurrent save in between makes the versioned update refuse.
  const { change } = commands;

  return {
    async getApplication(request, call) {
      const id = requireId("id", request.id);
      return { application: toApplicationMessage(await commands.load(applications(call), call.caller.tenantId, id)) };
    },

    async listApplications(request, call) {
      const pageSize = pageSizeOf(request.pageSize);
      const filter: ApplicationFilter = {
        jobOpeningId: optionalId("job_opening_id", request.jobOpeningId) ?? undefined,
        stage: stageFilter("stage", request.stage),
      };
      const afterId = decodePageToken(methods.listApplications, request.pageToken, call.caller.tenantId, filter);
      const rows = await applications(call).list(call.caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(methods.listApplications, rows, pageSize, call.caller.tenantId, filter);
      return { applications: items.map(toApplicationMessage), nextPageToken };
    },

    async submitApplication(request, call) {
      return commands.run(call, methods.submitApplication, request, async (repo) => {
        const submitted = submitApplication(
          {
            id: uuidv7(),
            tenantId: call.caller.tenantId,
            jobOpeningId: request.jobOpeningId,
            candidateName: request.candidateName,
            candidateEmail: request.candidateEmail,
          },
          call.caller.userId,
          nowIso(),
        );
        await repo.insert(submitted);
        return { application: toApplicationMessage(submitted) };
      });
    },

    async advanceApplication(request, call) {
      const id = requireId("id", request.id);
      const to = requiredStage("to_stage", request.toStage);
      const move = { actor: call.caller.userId, note: request.note };
      return change(call, methods.advanceApplication, request, id, request.etag, (current) =>
        advanceApplication(current, to, move, nowIso()),
      );
    },

    async rejectApplication(request, call) {
      const id = requireId("id", request.id);
      const move = { actor: call.caller.userId, note: request.note };
      return change(call, methods.rejectApplication, request, id, request.etag, (current) =>
        rejectApplication(current, move, nowIso()),
      );
    },

    async withdrawApplication(request, call) {
      const id = requireId("id", request.id);
      const move = { actor: call.caller.userId, note: request.note };
      return change(call, methods.withdrawApplication, request, id, request.etag, (current) =>
        withdrawApplication(current, move, nowIso()),
      );
    },
  };
}
