import type { Logger } from "pino";
import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { SessionServiceDefinition } from "../../generated/proto/hr/sessionstore/v1/session_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import type { SqlDatabase } from "../../runtime/db/sql.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { accountRpc } from "./account/account-rpc.js";
import { DEFAULT_SIGN_IN_THROTTLE, type SignInThrottle } from "./account/sign-in-throttle.js";
import { sessionRpc } from "./sessionstore/session-rpc.js";

/** How long a sign-in's refresh tokens can be rotated, from the login: 30 days unless configured. */
export const DEFAULT_SESSION_LIFETIME_MS = 30 * 24 * 3_600_000;

/**
 * The identity data service: the identity context (login accounts) and the
 * sessionstore context (sign-ins and their refresh tokens) over one database. Plain constructor wiring: database → handler (it builds its
 * repository) → server. Tests call this with their own database and port 0.
 */
export function startIdentityServer(options: {
  db: SqlDatabase;
  port: number;
  config: RuntimeConfig;
  logger: Logger;
  sessionLifetimeMs?: number;
  /** How failed sign-ins slow the next attempt; DEFAULT_SIGN_IN_THROTTLE unless given (identity-config.ts reads it). */
  signInThrottle?: SignInThrottle;
}): Promise<RunningServer> {
  const throttle = options.signInThrottle ?? DEFAULT_SIGN_IN_THROTTLE;
  return startGrpcServer({
    name: "identity",
    port: options.port,
    config: options.config,
    logger: options.logger,
    readiness: () => options.db.ping(),
    services: [
      serve(AccountServiceDefinition, accountRpc(options.db, options.logger, throttle)),
      serve(SessionServiceDefinition, sessionRpc(options.db, options.sessionLifetimeMs ?? DEFAULT_SESSION_LIFETIME_MS)),
    ],
  });
}
