import type { Logger } from "pino";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { EmployeeRepository } from "./employee/employee-repository.js";
import { employeeRpc } from "./employee/employee-rpc.js";
import { DepartmentRepository } from "./organization/department-repository.js";
import { departmentRpc } from "./organization/department-rpc.js";
import type { PeopleDatabase } from "./people-database.js";

/**
 * The people data service: the organization and employee contexts over one
 * database. Plain constructor wiring: database → repositories → handlers →
 * server. Tests call this with their own database and port 0.
 */
export function startPeopleServer(options: {
  db: PeopleDatabase;
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
    services: [
      serve(DepartmentServiceDefinition, departmentRpc(new DepartmentRepository(db), db)),
      serve(EmployeeServiceDefinition, employeeRpc(new EmployeeRepository(db), db)),
    ],
  });
}
