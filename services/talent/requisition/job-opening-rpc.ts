import { v7 as uuidv7 } from "uuid";
import type { JobOpeningServiceDefinition } from "../../../generated/proto/hr/requisition/v1/job_opening_service.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import { type IdempotencyKey, idempotencyKey, type RawSql, runOnce } from "../../../runtime/db/run-once.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import { assertEtag } from "../../../runtime/domain/etag.js";
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
import type { JobOpeningFilter, JobOpeningRepository } from "./job-opening-repository.js";

/** hr.requisition.v1.JobOpeningService: validates, runs the domain through the repository, maps to protobuf. */
export function jobOpeningRpc(
  openings: JobOpeningRepository,
  db: RawSql,
): BusinessService<typeof JobOpeningServiceDefinition> {
  async function load(tenantId: string, id: string): Promise<JobOpening> {
    return (await openings.get(tenantId, id)) ?? Promise.reject(notFound("job_opening", id));
  }

  /** Load → check etag → domain command → save, once per request id. */
  async function change(
    caller: Caller,
    key: IdempotencyKey,
    id: string,
    etag: string,
    apply: (current: JobOpening) => JobOpening,
  ) {
    const opening = await runOnce(db, key, async () => {
      const current = await load(caller.tenantId, id);
      assertEtag(`job_openings/${id}`, current.version, etag);
      const changed = apply(current);
      await openings.update(changed, current.version, key);
      return changed;
    });
    return { jobOpening: toJobOpeningMessage(opening) };
  }

  return {
    async getJobOpening(request, { caller }) {
      return { jobOpening: toJobOpeningMessage(await load(caller.tenantId, requireId("id", request.id))) };
    },

    async listJobOpenings(request, { caller }) {
      const pageSize = pageSizeOf(request.pageSize);
      const filter: JobOpeningFilter = {
        status: statusFilter("status", request.status),
        departmentId: optionalId("department_id", request.departmentId) ?? undefined,
      };
      const afterId = decodePageToken(request.pageToken, caller.tenantId, filter);
      const rows = await openings.list(caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(rows, pageSize, caller.tenantId, filter);
      return { jobOpenings: items.map(toJobOpeningMessage), nextPageToken };
    },

    async createJobOpening(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "CreateJobOpening", request);
      const opening = await runOnce(db, key, async () => {
        const created = createJobOpening(
          {
            id: uuidv7(),
            tenantId: caller.tenantId,
            title: request.title,
            departmentId: request.departmentId,
            headcount: request.headcount,
            description: request.description,
          },
          nowIso(),
        );
        await openings.insert(created, key);
        return created;
      });
      return { jobOpening: toJobOpeningMessage(opening) };
    },

    async updateJobOpening(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "UpdateJobOpening", request);
      const given = request.jobOpening;
      const id = requireId("job_opening.id", given?.id ?? "");
      const paths = updateMaskPaths(request.updateMask, [
        "title",
        "headcount",
        "description",
        "department_id",
      ] as const);
      return change(caller, key, id, given?.etag ?? "", (current) =>
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

    async openJobOpening(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "OpenJobOpening", request);
      const id = requireId("id", request.id);
      return change(caller, key, id, request.etag, (current) => openJobOpening(current, nowIso()));
    },

    async holdJobOpening(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "HoldJobOpening", request);
      const id = requireId("id", request.id);
      return change(caller, key, id, request.etag, (current) => holdJobOpening(current, nowIso()));
    },

    async closeJobOpening(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "CloseJobOpening", request);
      const id = requireId("id", request.id);
      const outcome = closeOutcome("outcome", request.outcome);
      return change(caller, key, id, request.etag, (current) => closeJobOpening(current, outcome, nowIso()));
    },
  };
}
