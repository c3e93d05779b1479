import { v7 as uuidv7 } from "uuid";
import type { ApplicationServiceDefinition } from "../../../generated/proto/hr/candidacy/v1/application_service.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import { type IdempotencyKey, idempotencyKey, type RawSql, runOnce } from "../../../runtime/db/run-once.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import { assertEtag } from "../../../runtime/domain/etag.js";
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
import type { ApplicationFilter, ApplicationRepository } from "./application-repository.js";

/**
 * hr.candidacy.v1.ApplicationService: validates, runs the domain through the
 * repository, maps to protobuf. The actor of every stage change is the
 * verified caller's user id, never a request field.
 */
export function applicationRpc(
  applications: ApplicationRepository,
  db: RawSql,
): BusinessService<typeof ApplicationServiceDefinition> {
  async function load(tenantId: string, id: string): Promise<Application> {
    return (await applications.get(tenantId, id)) ?? Promise.reject(notFound("application", id));
  }

  /** Load → check etag → domain command → save, once per request id. */
  async function change(
    caller: Caller,
    key: IdempotencyKey,
    id: string,
    etag: string,
    apply: (current: Application) => Application,
  ) {
    const application = await runOnce(db, key, async () => {
      const current = await load(caller.tenantId, id);
      assertEtag(`applications/${id}`, current.version, etag);
      const changed = apply(current);
      await applications.update(changed, current, key);
      return changed;
    });
    return { application: toApplicationMessage(application) };
  }

  return {
    async getApplication(request, { caller }) {
      return { application: toApplicationMessage(await load(caller.tenantId, requireId("id", request.id))) };
    },

    async listApplications(request, { caller }) {
      const pageSize = pageSizeOf(request.pageSize);
      const filter: ApplicationFilter = {
        jobOpeningId: optionalId("job_opening_id", request.jobOpeningId) ?? undefined,
        stage: stageFilter("stage", request.stage),
      };
      const afterId = decodePageToken(request.pageToken, caller.tenantId, filter);
      const rows = await applications.list(caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(rows, pageSize, caller.tenantId, filter);
      return { applications: items.map(toApplicationMessage), nextPageToken };
    },

    async submitApplication(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "SubmitApplication", request);
      const application = await runOnce(db, key, async () => {
        const submitted = submitApplication(
          {
            id: uuidv7(),
            tenantId: caller.tenantId,
            jobOpeningId: request.jobOpeningId,
            candidateName: request.candidateName,
            candidateEmail: request.candidateEmail,
          },
          caller.userId,
          nowIso(),
        );
        await applications.insert(submitted, key);
        return submitted;
      });
      return { application: toApplicationMessage(application) };
    },

    async advanceApplication(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "AdvanceApplication", request);
      const id = requireId("id", request.id);
      const to = requiredStage("to_stage", request.toStage);
      const move = { actor: caller.userId, note: request.note };
      return change(caller, key, id, request.etag, (current) => advanceApplication(current, to, move, nowIso()));
    },

    async rejectApplication(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "RejectApplication", request);
      const id = requireId("id", request.id);
      const move = { actor: caller.userId, note: request.note };
      return change(caller, key, id, request.etag, (current) => rejectApplication(current, move, nowIso()));
    },

    async withdrawApplication(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "WithdrawApplication", request);
      const id = requireId("id", request.id);
      const move = { actor: caller.userId, note: request.note };
      return change(caller, key, id, request.etag, (current) => withdrawApplication(current, move, nowIso()));
    },
  };
}
