import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { SessionServiceDefinition } from "../../generated/proto/hr/sessionstore/v1/session_service.js";
import { serve } from "../../runtime/server/grpc-server.js";
import type { DataService } from "../../runtime/service/data-service.js";
import { accountRpc } from "./account/account-rpc.js";
import { type IdentitySettings, readIdentitySettings } from "./identity-config.js";
import { sessionRpc } from "./sessionstore/session-rpc.js";

/**
 * The identity data service: the identity context (login accounts) and the
 * sessionstore context (sign-ins and their refresh tokens) over one database.
 */
export const identityService: DataService<IdentitySettings> = {
  name: "identity",
  settings: readIdentitySettings,
  contexts: (db, settings, logger) => [
    serve(AccountServiceDefinition, accountRpc(db, logger, settings.signInThrottle)),
    serve(SessionServiceDefinition, sessionRpc(db, settings.sessionLifetimeMs)),
  ],
};
