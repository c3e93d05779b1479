import type { Logger } from "pino";
import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import type { SqlDatabase } from "../../runtime/db/sql.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { accountRpc } from "./account/account-rpc.js";

/**
 * The identity data service: the identity context (login accounts) over one
 * database. Plain constructor wiring: database → handler (it builds its
 * repository) → server. Tests call this with their own database and port 0.
 */
export function startIdentityServer(options: {
  db: SqlDatabase;
  port: number;
  config: RuntimeConfig;
  logger: Logger;
}): Promise<RunningServer> {
  return startGrpcServer({
    name: "identity",
    port: options.port,
    config: options.config,
    logger: options.logger,
    readiness: () => options.db.ping(),
    services: [serve(AccountServiceDefinition, accountRpc(options.db, options.logger))],
  });
}
