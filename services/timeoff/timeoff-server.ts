import type { Logger } from "pino";
import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { LeaveAccountRepository } from "./timeoff/leave-account-repository.js";
import { leaveAccountRpc } from "./timeoff/leave-account-rpc.js";
import { LeaveMovementRepository } from "./timeoff/leave-movement-repository.js";
import type { TimeoffDatabase } from "./timeoff-database.js";

/**
 * The timeoff data service: the timeoff context (leave accounts) over its own
 * database. Plain constructor wiring: database → repositories → handler →
 * server. Tests call this with their own database and port 0.
 */
export function startTimeoffServer(options: {
  db: TimeoffDatabase;
  port: number;
  config: RuntimeConfig;
  logger: Logger;
}): Promise<RunningServer> {
  const { db } = options;
  const rpc = leaveAccountRpc(new LeaveAccountRepository(db), new LeaveMovementRepository(db), db);
  return startGrpcServer({
    name: "timeoff",
    port: options.port,
    config: options.config,
    logger: options.logger,
    services: [serve(LeaveAccountServiceDefinition, rpc)],
  });
}
