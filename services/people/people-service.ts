import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { serve } from "../../runtime/server/grpc-server.js";
import type { DataService } from "../../runtime/service/data-service.js";
import { employeeRpc } from "./employee/employee-rpc.js";
import { departmentRpc } from "./organization/department-rpc.js";

/** The people data service: the organization and employee contexts over one database. */
export const peopleService: DataService = {
  name: "people",
  contexts: (db) => [
    serve(DepartmentServiceDefinition, departmentRpc(db)),
    serve(EmployeeServiceDefinition, employeeRpc(db)),
  ],
};
