import { ClientError, Status } from "nice-grpc";
import { ErrorInfo, RichClientError } from "nice-grpc-error-details";
import { v7 as uuidv7 } from "uuid";
import {
  AccountStatus,
  type GetAccountResponse,
  type Role,
} from "../../generated/proto/hr/identity/v1/account_service.js";
import { ErrorReason as IdentityReason } from "../../generated/proto/hr/identity/v1/error_reason.js";
import { ErrorReason } from "../../generated/proto/hr/session/v1/error_reason.js";
import type {
  LoginRequest,
  LoginResponse,
  LogoutRequest,
  LogoutResponse,
  RefreshRequest,
  RefreshResponse,
} from "../../generated/proto/hr/session/v1/session_service.js";
import { ErrorReason as SessionStoreReason } from "../../generated/proto/hr/sessionstore/v1/error_reason.js";
import type { Caller } from "../../runtime/auth/caller.js";
import { TENANT_ID } from "../../runtime/auth/claim-shapes.js";
import { unauthenticated } from "../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../runtime/domain/validation.js";
import type { ScopedContext } from "../../runtime/server/call-scope.js";
import { type IdentityClients, roleNamesOf } from "./identity-clients.js";
import { newRefreshToken, parseRefreshToken, type RefreshToken } from "./refresh-tokens.js";
import type { TokenMinting } from "./token-minting.js";

// One answer for every refusal of a sign-in, a wait after failed attempts included (identity's throttle).
const invalidCredentials = () =>
  unauthenticated(
    ErrorReason.INVALID_CREDENTIALS,
    "invalid tenant, login name or password, or too many failed attempts: wait and try again",
  );
const invalidRefreshToken = () => unauthenticated(ErrorReason.INVALID_REFRESH_TOKEN, "the refresh token is not valid");

/** Whether identity refused with one of `reasons` (its ErrorInfo), as opposed to refusing the app itself. */
function refusedWith(error: unknown, code: Status, reasons: readonly string[]): boolean {
  if (!(error instanceof ClientError) || error.code !== code) return false;
  const extra = error instanceof RichClientError ? error.extra : [];
  return extra.some((detail) => detail.$type === ErrorInfo.$type && reasons.includes(detail.reason));
}

/**
 * Login, Refresh and Logout: identity checks passwords and keeps the
 * refresh-token families; this app mints the tokens. Every refusal of a
 * credential or a refresh token is one uniform answer.
 */
/**
 * The caller an access token names: the account (subject), its roles, and
 * the employee it is linked to (claim `employee_id`, which rules limited to
 * one's own records and self-service read), when it is linked to one.
 */
function personOf(tenantId: string, accountId: string, roles: readonly Role[], employeeId: string): Caller {
  const caller: Caller = { tenantId, userId: accountId, roles: roleNamesOf(roles) };
  if (employeeId !== "") caller.employeeId = employeeId;
  return caller;
}

export function signIn(identity: IdentityClients, minting: TokenMinting) {
  /** Ends a session whose account may no longer sign in; the refresh is refused either way. */
  async function refuseAndRevoke(refresh: RefreshToken, options: object): Promise<never> {
    await identity.sessions.revokeSession({ requestId: uuidv7(), refreshTokenHash: refresh.hash }, options);
    throw invalidRefreshToken();
  }

  return {
    async login(request: LoginRequest, context: ScopedContext): Promise<LoginResponse> {
      const checks = new FieldChecks();
      checks.check("tenant_id", TENANT_ID.test(request.tenantId), "must be 1 to 64 letters, digits or ._:-");
      checks.throwIfAny();
      const options = await minting.asSessionApp(context, request.tenantId);
      const credentials = { loginName: request.loginName, password: request.password };
      const verified = await identity.accounts.verifyCredentials(credentials, options).catch((error: unknown) => {
        throw refusedWith(error, Status.UNAUTHENTICATED, [IdentityReason.INVALID_CREDENTIALS])
          ? invalidCredentials()
          : error;
      });
      const refresh = newRefreshToken(request.tenantId);
      const start = { requestId: uuidv7(), accountId: verified.accountId, refreshTokenHash: refresh.hash };
      const { session } = await identity.sessions.startSession(start, options);
      const caller = personOf(request.tenantId, verified.accountId, verified.roles, verified.employeeId);
      return { tokens: await minting.tokensFor(caller, refresh, session?.expireTime) };
    },

    async refresh(request: RefreshRequest, context: ScopedContext): Promise<RefreshResponse> {
      const presented = parseRefreshToken(request.refreshToken);
      if (presented === undefined) throw invalidRefreshToken();
      const options = await minting.asSessionApp(context, presented.tenantId);
      const next = newRefreshToken(presented.tenantId);
      const rotation = { requestId: uuidv7(), refreshTokenHash: presented.hash, newRefreshTokenHash: next.hash };
      const { session } = await identity.sessions.rotateRefreshToken(rotation, options).catch((error: unknown) => {
        const refused = [SessionStoreReason.REFRESH_TOKEN_INVALID, SessionStoreReason.REFRESH_TOKEN_REUSED];
        throw refusedWith(error, Status.UNAUTHENTICATED, refused) ? invalidRefreshToken() : error;
      });
      // The new access token carries the account's roles as they are now, and
      // a disabled, locked or deleted account signs in no longer. (A change of
      // password, roles or status also revokes the session in identity, so
      // such a token is usually refused by the rotation above already.)
      const { account } = await identity.accounts
        .getAccount({ id: session?.accountId ?? "" }, options)
        .catch((error: unknown): GetAccountResponse => {
          if (refusedWith(error, Status.NOT_FOUND, [IdentityReason.ACCOUNT_NOT_FOUND])) return { account: undefined };
          throw error;
        });
      if (account?.status !== AccountStatus.ACCOUNT_STATUS_ACTIVE) return refuseAndRevoke(next, options);
      const caller = personOf(presented.tenantId, account.id, account.roles, account.employeeId);
      return { tokens: await minting.tokensFor(caller, next, session?.expireTime) };
    },

    async logout(request: LogoutRequest, context: ScopedContext): Promise<LogoutResponse> {
      const presented = parseRefreshToken(request.refreshToken);
      if (presented === undefined) return {};
      const options = await minting.asSessionApp(context, presented.tenantId);
      const revocation = { requestId: uuidv7(), refreshTokenHash: presented.hash };
      await identity.sessions.revokeSession(revocation, options).catch((error: unknown) => {
        if (!refusedWith(error, Status.NOT_FOUND, [SessionStoreReason.SESSION_NOT_FOUND])) throw error;
      });
      return {};
    },
  };
}
