import type { Logger } from "pino";
import { ApplicationServiceDefinition } from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { JobOpeningServiceDefinition } from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import type { SqlDatabase } from "../../runtime/db/sql.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { applicationRpc } from "./candidacy/application-rpc.js";
import { jobOpeningRpc } from "./requisition/job-opening-rpc.js";

/**
 * The talent data service: the requisition and candidacy contexts over one
 * database (each with its own tables; candidacy knows job openings only by
 * id). Plain constructor wiring: database → handlers (each builds its
 * repository) → server. Tests call this with their own database and port 0.
 */
export function startTalentServer(options: {
  db: SqlDatabase;
  port: number;
  config: RuntimeConfig;
  logger: Logger;
}): Promise<RunningServer> {
  const { db } = options;
  return startGrpcServer({
    name: "talent",
    port: options.port,
    config: options.config,
    logger: options.logger,
    readiness: () => options.db.ping(),
    services: [
      serve(JobOpeningServiceDefinition, jobOpeningRpc(db)),
      serve(ApplicationServiceDefinition, applicationRpc(db)),
    ],
  });
}
