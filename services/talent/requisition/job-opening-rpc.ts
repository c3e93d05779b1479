import { v7 as uuidv7 } from "uuid";
import { ErrorReason } from "../../../generated/proto/hr/requisition/v1/error_reason.js";
import {
  type JobOpeningServiceDefinition as Definition,
  JobOpeningServiceDefinition,
} from "../../../generated/proto/hr/requisition/v1/job_opening_service.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { VersionedCommands } from "../../../runtime/db/versioned-commands.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { optionalId, requireId } from "../../../runtime/server/request-checks.js";
import { updateMaskPaths } from "../../../runtime/server/update-mask.js";
import {
  closeJobOpening,
  createJobOpening,
  holdJobOpening,
  type JobOpening,
  openJobOpening,
  updateJobOpening,
} from "./job-opening.js";
import { closeOutcome, statusFilter, toJobOpeningMessage } from "./job-opening-proto.js";
import { type JobOpeningFilter, JobOpeningRepository } from "./job-opening-repository.js";

const methods = JobOpeningServiceDefinition.methods;

/** hr.requisition.v1.JobOpeningService: validates, runs the domain through the repository, maps to protobuf. */
export function jobOpeningRpc(db: SqlDatabase): BusinessService<typeof Definition> {
  const openings = (call: { signal: AbortSignal }) => new JobOpeningRepository(db.forCall(call.signal));
  const commands = new VersionedCommands(db, (tx) => new JobOpeningRepository(tx), {
    store: (repo) => repo,
    subject: (id) => `job_openings/${id}`,
    missing: (id) => notFound(ErrorReason.JOB_OPENING_NOT_FOUND, id),
    message: (changed: JobOpening): { jobOpening?: ReturnType<typeof toJobOpeningMessage> } => ({
      jobOpening: toJobOpeningMessage(changed),
    }),
  });
  // Load → check etag → domain command → save, once per request id. No row
  // lock: a concurrent save in between makes the versioned update refuse.
  const { change } = commands;

  return {
    async getJobOpening(request, call) {
      return {
        jobOpening: toJobOpeningMessage(
          await commands.load(openings(call), call.caller.tenantId, requireId("id", request.id)),
        ),
      };
    },

    async listJobOpenings(request, call) {
      const pageSize = pageSizeOf(request.pageSize);
      const filter: JobOpeningFilter = {
        status: statusFilter("status", request.status),
        departmentId: optionalId("department_id", request.departmentId) ?? undefined,
      };
      const afterId = decodePageToken(methods.listJobOpenings, request.pageToken, call.caller.tenantId, filter);
      const rows = await openings(call).list(call.caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(methods.listJobOpenings, rows, pageSize, call.caller.tenantId, filter);
      return { jobOpenings: items.map(toJobOpeningMessage), nextPageToken };
    },

    async createJobOpening(request, call) {
      return commands.run(call, methods.createJobOpening, request, async (repo) => {
        const created = createJobOpening(
          {
            id: uuidv7(),
            tenantId: call.caller.tenantId,
            title: request.title,
            departmentId: request.departmentId,
            headcount: request.headcount,
            description: request.description,
          },
          nowIso(),
        );
        await repo.insert(created);
        return { jobOpening: toJobOpeningMessage(created) };
      });
    },

    async updateJobOpening(request, call) {
      const given = request.jobOpening;
      const id = requireId("job_opening.id", given?.id ?? "");
      const paths = updateMaskPaths(request.updateMask, [
        "title",
        "headcount",
        "description",
        "department_id",
      ] as const);
      return change(call, methods.updateJobOpening, request, id, given?.etag ?? "", (current) =>
        updateJobOpening(
          current,
          {
            ...(paths.has("title") && { title: given?.title ?? "" }),
            ...(paths.has("headcount") && { headcount: given?.headcount ?? 0 }),
            ...(paths.has("description") && { description: given?.description ?? "" }),
            ...(paths.has("department_id") && { departmentId: given?.departmentId ?? "" }),
          },
          nowIso(),
        ),
      );
    },

    async openJobOpening(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.openJobOpening, request, id, request.etag, (current) =>
        openJobOpening(current, nowIso()),
      );
    },

    async holdJobOpening(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.holdJobOpening, request, id, request.etag, (current) =>
        holdJobOpening(current, nowIso()),
      );
    },

    async closeJobOpening(request, call) {
      const id = requireId("id", request.id);
      const outcome = closeOutcome("outcome", request.outcome);
      return change(call, methods.closeJobOpening, request, id, request.etag, (current) =>
        closeJobOpening(current, outcome, nowIso()),
      );
    },
  };
}
