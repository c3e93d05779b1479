import { v7 as uuidv7 } from "uuid";
import { ErrorReason } from "../../../generated/proto/hr/sessionstore/v1/error_reason.js";
import {
  type SessionServiceDefinition as Definition,
  SessionServiceDefinition,
} from "../../../generated/proto/hr/sessionstore/v1/session_service.js";
import { CommandPipeline } from "../../../runtime/db/commands.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import {
  checkTokenHash,
  refreshTokenInvalid,
  refreshTokenReused,
  revokeSession,
  rotateToken,
  startSession,
  viewOf,
} from "./session.js";
import { toSessionMessage } from "./session-proto.js";
import { SessionRepository } from "./session-repository.js";

const methods = SessionServiceDefinition.methods;

function checkHashes(hashes: Record<string, string>): void {
  const checks = new FieldChecks();
  for (const [field, value] of Object.entries(hashes)) checkTokenHash(checks, field, value);
  checks.throwIfAny();
}

/**
 * Revokes the session that already used `tokenHash`, in a transaction of its
 * own: the rotation that found the reuse is refused, and its rollback must
 * not take the revocation with it. Not bounded by the call: a caller that
 * hangs up must not keep a stolen family alive.
 */
async function revokeForReuse(db: SqlDatabase, tenantId: string, tokenHash: string): Promise<void> {
  await db.transaction(async (tx) => {
    const repo = new SessionRepository(tx);
    const session = await repo.lockByUsedToken(tenantId, tokenHash);
    if (session === undefined) return;
    const revoked = revokeSession(session, "token_reused", nowIso());
    if (revoked !== session) await repo.save(revoked);
  });
}

/** hr.sessionstore.v1.SessionService: validates, runs the domain through the repository, maps to protobuf. */
export function sessionRpc(db: SqlDatabase, lifetimeMs: number): BusinessService<typeof Definition> {
  const commands = new CommandPipeline(db, (tx) => new SessionRepository(tx));

  return {
    startSession(request, call) {
      return commands.run(call, methods.startSession, request, async (repo) => {
        const { accountId, refreshTokenHash: tokenHash } = request;
        const input = { id: uuidv7(), tenantId: call.caller.tenantId, accountId, tokenHash };
        const session = startSession(input, lifetimeMs, nowIso());
        await repo.insert(session);
        return { session: toSessionMessage(viewOf(session)) };
      });
    },

    async rotateRefreshToken(request, call) {
      const { refreshTokenHash, newRefreshTokenHash } = request;
      checkHashes({ refresh_token_hash: refreshTokenHash, new_refresh_token_hash: newRefreshTokenHash });
      const tenantId = call.caller.tenantId;
      let reused = false;
      try {
        return await commands.run(call, methods.rotateRefreshToken, request, async (repo) => {
          const current = await repo.lockByCurrentToken(tenantId, refreshTokenHash);
          if (current === undefined) {
            reused = (await repo.lockByUsedToken(tenantId, refreshTokenHash)) !== undefined;
            throw reused ? refreshTokenReused() : refreshTokenInvalid();
          }
          const rotated = rotateToken(current, newRefreshTokenHash, nowIso());
          await repo.save(rotated, refreshTokenHash);
          return { session: toSessionMessage(viewOf(rotated)) };
        });
      } catch (error) {
        if (reused) await revokeForReuse(db, tenantId, refreshTokenHash);
        throw error;
      }
    },

    revokeSession(request, call) {
      const { refreshTokenHash } = request;
      checkHashes({ refresh_token_hash: refreshTokenHash });
      const tenantId = call.caller.tenantId;
      return commands.run(call, methods.revokeSession, request, async (repo) => {
        const session =
          (await repo.lockByCurrentToken(tenantId, refreshTokenHash)) ??
          (await repo.lockByUsedToken(tenantId, refreshTokenHash));
        if (session === undefined) throw notFound(ErrorReason.SESSION_NOT_FOUND, "of this refresh token");
        const revoked = revokeSession(session, "logout", nowIso());
        if (revoked !== session) await repo.save(revoked);
        return { session: toSessionMessage(viewOf(revoked)) };
      });
    },
  };
}
