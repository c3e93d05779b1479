import type { Session as SessionModel } from "../../../generated/prisma/identity/client.js";
import { ErrorReason } from "../../../generated/proto/hr/sessionstore/v1/error_reason.js";
import { isUniqueViolation, type Sql, sql } from "../../../runtime/db/sql.js";
import { type Stored, Table, timestamp } from "../../../runtime/db/table.js";
import { alreadyExists } from "../../../runtime/domain/domain-error.js";
import type { RevokeReason, Session, SessionState } from "./session.js";

const sessions = new Table<SessionModel>("sessions", {
  id: "id",
  tenantId: "tenant_id",
  accountId: "account_id",
  currentTokenHash: "current_token_hash",
  state: "state",
  revokeReason: "revoke_reason",
  rotationCount: "rotation_count",
  expireTime: timestamp("expire_time"),
  createTime: timestamp("create_time"),
  updateTime: timestamp("update_time"),
});

const INSERT = sessions.insertStatement();
// FOR UPDATE: of two rotations of one token, the second waits for the first,
// then finds the row no longer holds that token (PostgreSQL re-checks the
// WHERE clause on the row the first committed) and sees the token as used.
const BY_CURRENT_TOKEN = sql(`
  SELECT ${sessions.selectList()} FROM sessions
  WHERE tenant_id = $1 AND current_token_hash = $2 FOR UPDATE`);
const BY_USED_TOKEN = sql(`
  SELECT ${sessions.selectList("s")} FROM sessions s
  JOIN used_refresh_tokens u ON u.session_id = s.id
  WHERE u.tenant_id = $1 AND u.token_hash = $2 FOR UPDATE OF s`);
const SAVE = sql(`
  UPDATE sessions SET current_token_hash = $3, state = $4, revoke_reason = $5, rotation_count = $6, update_time = $7
  WHERE tenant_id = $1 AND id = $2`);
// The bulk form of revokeSession (session.ts): only active, unexpired sessions
// end; a revoked or expired one keeps what it is.
const REVOKE_ALL_OF_ACCOUNT = sql(`
  UPDATE sessions SET state = 'revoked', revoke_reason = $3, update_time = $4
  WHERE tenant_id = $1 AND account_id = $2::uuid AND state = 'active' AND expire_time > $4`);
const MARK_USED = sql(`
  INSERT INTO used_refresh_tokens (tenant_id, token_hash, session_id, use_time) VALUES ($1, $2, $3::uuid, $4)`);

/**
 * Loads and saves Session aggregates; every query is scoped by tenant, and
 * every load locks the session's row until the transaction ends (all callers
 * are commands that may change it).
 */
export class SessionRepository {
  constructor(private readonly sql: Sql) {}

  /** The session whose current token has this hash. */
  async lockByCurrentToken(tenantId: string, tokenHash: string): Promise<Session | undefined> {
    const [row] = await this.sql.rows<Stored<SessionModel>>(BY_CURRENT_TOKEN, [tenantId, tokenHash]);
    return row && toDomain(row);
  }

  /** The session that has already used a token with this hash. */
  async lockByUsedToken(tenantId: string, tokenHash: string): Promise<Session | undefined> {
    const [row] = await this.sql.rows<Stored<SessionModel>>(BY_USED_TOKEN, [tenantId, tokenHash]);
    return row && toDomain(row);
  }

  async insert(session: Session): Promise<void> {
    await this.sql.count(INSERT, sessions.valuesOf(session)).catch(translateUniqueViolation("refresh_token_hash"));
  }

  /**
   * Ends every active session of an account, for `reason`; answers how many.
   * Called by identity's account commands inside their own transaction, so
   * the credential and its sessions change together (see account-rpc.ts).
   */
  async revokeAllOfAccount(tenantId: string, accountId: string, reason: RevokeReason, now: string): Promise<number> {
    return this.sql.count(REVOKE_ALL_OF_ACCOUNT, [tenantId, accountId, reason, now]);
  }

  /** Saves a changed session (its row is locked by the load), and remembers `usedTokenHash` when a rotation used it. */
  async save(session: Session, usedTokenHash?: string): Promise<void> {
    const { tenantId, id, currentTokenHash, state, revokeReason, rotationCount, updateTime } = session;
    const values = [tenantId, id, currentTokenHash, state, revokeReason, rotationCount, updateTime];
    await this.sql.count(SAVE, values).catch(translateUniqueViolation("new_refresh_token_hash"));
    if (usedTokenHash !== undefined) await this.sql.count(MARK_USED, [tenantId, usedTokenHash, id, updateTime]);
  }
}

function translateUniqueViolation(field: string) {
  return (error: unknown): never => {
    if (isUniqueViolation(error, "sessions_tenant_id_current_token_hash_key")) {
      throw alreadyExists(
        ErrorReason.REFRESH_TOKEN_HASH_TAKEN,
        "another session of the tenant has this refresh token",
        field,
      );
    }
    throw error;
  };
}

const toDomain = (row: Stored<SessionModel>): Session => ({
  ...row,
  state: row.state as SessionState,
  revokeReason: row.revokeReason as RevokeReason | null,
});
