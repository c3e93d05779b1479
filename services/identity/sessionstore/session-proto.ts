import {
  RevokeReason as RevokeReasonMessage,
  type Session as SessionMessage,
  SessionState as SessionStateMessage,
} from "../../../generated/proto/hr/sessionstore/v1/session_service.js";
import type { RevokeReason, SessionState, SessionView } from "./session.js";

const STATE_TO_PROTO: Record<SessionState, SessionStateMessage> = {
  active: SessionStateMessage.SESSION_STATE_ACTIVE,
  revoked: SessionStateMessage.SESSION_STATE_REVOKED,
};

const REASON_TO_PROTO: Record<RevokeReason, RevokeReasonMessage> = {
  logout: RevokeReasonMessage.REVOKE_REASON_LOGOUT,
  token_reused: RevokeReasonMessage.REVOKE_REASON_TOKEN_REUSED,
  password_changed: RevokeReasonMessage.REVOKE_REASON_PASSWORD_CHANGED,
  password_reset: RevokeReasonMessage.REVOKE_REASON_PASSWORD_RESET,
  roles_changed: RevokeReasonMessage.REVOKE_REASON_ROLES_CHANGED,
  account_disabled: RevokeReasonMessage.REVOKE_REASON_ACCOUNT_DISABLED,
};

/** The aggregate as clients see it. It takes the view type, so a token hash cannot slip in. */
export function toSessionMessage(s: SessionView): SessionMessage {
  return {
    id: s.id,
    accountId: s.accountId,
    state: STATE_TO_PROTO[s.state],
    revokeReason: s.revokeReason ? REASON_TO_PROTO[s.revokeReason] : RevokeReasonMessage.REVOKE_REASON_UNSPECIFIED,
    rotationCount: s.rotationCount,
    expireTime: new Date(s.expireTime),
    createTime: new Date(s.createTime),
    updateTime: new Date(s.updateTime),
  };
}
