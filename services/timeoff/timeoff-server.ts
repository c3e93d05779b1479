import type { Logger } from "pino";
import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import type { SqlDatabase } from "../../runtime/db/sql.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { leaveAccountRpc } from "./leave-account/leave-account-rpc.js";

/**
 * The timeoff data service: the timeoff context (leave accounts) over its own
 * database. Plain constructor wiring: database → handler (it builds its
 * repository) → server. Tests call this with their own database and port 0.
 */
export function startTimeoffServer(options: {
  db: SqlDatabase;
  port: number;
  config: RuntimeConfig;
  logger: Logger;
}): Promise<RunningServer> {
  return startGrpcServer({
    name: "timeoff",
    port: options.port,
    config: options.config,
    logger: options.logger,
    readiness: () => options.db.ping(),
    services: [serve(LeaveAccountServiceDefinition, leaveAccountRpc(options.db))],
  });
}
