import type { Logger } from "pino";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import type { SqlDatabase } from "../../runtime/db/sql.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { employeeRpc } from "./employee/employee-rpc.js";
import { departmentRpc } from "./organization/department-rpc.js";

/**
 * The people data service: the organization and employee contexts over one
 * database. Plain constructor wiring: database → handlers (each builds its
 * repository) → server. Tests call this with their own database and port 0.
 */
export function startPeopleServer(options: {
  db: SqlDatabase;
  port: number;
  config: RuntimeConfig;
  logger: Logger;
}): Promise<RunningServer> {
  const { db } = options;
  return startGrpcServer({
    name: "people",
    port: options.port,
    config: options.config,
    logger: options.logger,
    readiness: () => options.db.ping(),
    services: [
      serve(DepartmentServiceDefinition, departmentRpc(db)),
      serve(EmployeeServiceDefinition, employeeRpc(db)),
    ],
  });
}
