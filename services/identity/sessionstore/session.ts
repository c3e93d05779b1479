import { ErrorReason } from "../../../generated/proto/hr/sessionstore/v1/error_reason.js";
import { type DomainError, unauthenticated } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";

/**
 * Session, the aggregate root of the sessionstore context: one sign-in of
 * one account, a family of refresh tokens of which exactly one is current.
 * active → revoked (logout, a used token presented again, or a change of the
 * account's password, roles or status). It expires a
 * fixed time after it started, however often it is rotated. Tokens are known
 * only by their hex SHA-256. Pure: the caller passes ids, hashes and `now`.
 */

export type SessionState = "active" | "revoked";
/**
 * Why a session ended: the person signed out, a used token came back, or the
 * account's credential changed (identity's account commands end every
 * session of the account in their own transaction, see revokeAllOfAccount).
 */
export type RevokeReason =
  | "logout"
  | "token_reused"
  | "password_changed"
  | "password_reset"
  | "roles_changed"
  | "account_disabled";

export interface Session {
  id: string;
  tenantId: string;
  accountId: string;
  /** Hex SHA-256 of the one refresh token that can be rotated now. */
  currentTokenHash: string;
  state: SessionState;
  revokeReason: RevokeReason | null;
  rotationCount: number;
  expireTime: string;
  createTime: string;
  updateTime: string;
}

/** The session as it may leave the service: no token hash. */
export type SessionView = Omit<Session, "currentTokenHash">;

/** A SHA-256 in hex, as the store keeps it: what a token hash must look like. */
const TOKEN_HASH = /^[0-9a-f]{64}$/;

export function checkTokenHash(checks: FieldChecks, field: string, value: string): void {
  checks.check(field, TOKEN_HASH.test(value), "must be a SHA-256 in hex: 64 lower-case hex digits");
}

export function viewOf(session: Session): SessionView {
  const { currentTokenHash: _secret, ...view } = session;
  return view;
}

/** Every refusal of a token that is not usable now: unknown, expired, or of a revoked session. */
export function refreshTokenInvalid(): DomainError {
  return unauthenticated(ErrorReason.REFRESH_TOKEN_INVALID, "the refresh token is not valid");
}

/** A token used once already: its session is revoked (by the caller, in a write of its own). */
export function refreshTokenReused(): DomainError {
  return unauthenticated(
    ErrorReason.REFRESH_TOKEN_REUSED,
    "the refresh token was already used; its session is revoked",
  );
}

export interface NewSession {
  id: string;
  tenantId: string;
  accountId: string;
  tokenHash: string;
}

/** Starts an active session that expires `lifetimeMs` after `now`. */
export function startSession(input: NewSession, lifetimeMs: number, now: string): Session {
  const checks = new FieldChecks();
  checks.uuid("account_id", input.accountId);
  checkTokenHash(checks, "refresh_token_hash", input.tokenHash);
  checks.throwIfAny();
  return {
    id: input.id,
    tenantId: input.tenantId,
    accountId: input.accountId.toLowerCase(),
    currentTokenHash: input.tokenHash,
    state: "active",
    revokeReason: null,
    rotationCount: 0,
    expireTime: new Date(Date.parse(now) + lifetimeMs).toISOString(),
    createTime: now,
    updateTime: now,
  };
}

export function isExpired(session: Session, now: string): boolean {
  return Date.parse(session.expireTime) <= Date.parse(now);
}

/** The refusal of a token of a revoked session: the same reason, and a message that says why it ended. */
function sessionRevoked(reason: RevokeReason | null): DomainError {
  return unauthenticated(
    ErrorReason.REFRESH_TOKEN_INVALID,
    `the refresh token is not valid: its session ended (${reason})`,
  );
}

/** Replaces the current token by `newTokenHash`; refused when the session is revoked or expired. */
export function rotateToken(session: Session, newTokenHash: string, now: string): Session {
  if (session.state !== "active") throw sessionRevoked(session.revokeReason);
  if (isExpired(session, now)) throw refreshTokenInvalid();
  return { ...session, currentTokenHash: newTokenHash, rotationCount: session.rotationCount + 1, updateTime: now };
}

/** Ends the session; a revoked or expired one stays as it is (nothing left to end). */
export function revokeSession(session: Session, reason: RevokeReason, now: string): Session {
  if (session.state === "revoked" || isExpired(session, now)) return session;
  return { ...session, state: "revoked", revokeReason: reason, updateTime: now };
}
