import { v7 as uuidv7 } from "uuid";
import {
  type EmployeeServiceDefinition as Definition,
  EmployeeServiceDefinition,
} from "../../../generated/proto/hr/employee/v1/employee_service.js";
import { ErrorReason } from "../../../generated/proto/hr/employee/v1/error_reason.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { VersionedCommands } from "../../../runtime/db/versioned-commands.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound, permissionDenied } from "../../../runtime/domain/domain-error.js";
import { FieldChecks, idsFilter } from "../../../runtime/domain/validation.js";
import type { Access } from "../../../runtime/server/authorization.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { inRequestOrder, optionalId, requireId, requireIds } from "../../../runtime/server/request-checks.js";
import { updateMaskPaths } from "../../../runtime/server/update-mask.js";
import { assertDepartmentOpen } from "./department-placement.js";
import {
  activateEmployee,
  type Employee,
  hireEmployee,
  terminateEmployee,
  transferEmployee,
  updateEmployee,
} from "./employee.js";
import { statusFilter, toEmployeeMessage } from "./employee-proto.js";
import { type EmployeeFilter, EmployeeRepository } from "./employee-repository.js";

const methods = EmployeeServiceDefinition.methods;

/** The fields a person may change on their own record: their name. Email and title are HR's. */
const OWN_EDITABLE: ReadonlySet<string> = new Set(["given_name", "family_name"]);

/**
 * UpdateEmployee for a caller allowed on its own record only (allow_own):
 * the record must be the one its token names, and only the name may change.
 */
function checkOwnEdit(call: { caller: Caller; access: Access }, id: string, paths: ReadonlySet<string>): void {
  const { caller, access } = call;
  if (!access.needsOwner) return;
  access.check(caller.employeeId === id);
  const others = [...paths].filter((path) => !OWN_EDITABLE.has(path));
  if (others.length > 0) {
    throw permissionDenied(
      ErrorReason.OWN_FIELD_NOT_EDITABLE,
      `on one's own record only the name may change, not ${others.join(", ")}`,
    );
  }
}

/** hr.employee.v1.EmployeeService: validates, runs the domain through the repository, maps to protobuf. */
export function employeeRpc(db: SqlDatabase): BusinessService<typeof Definition> {
  const employees = (call: { signal: AbortSignal }) => new EmployeeRepository(db.forCall(call.signal));
  const commands = new VersionedCommands(db, (tx, outbox) => new EmployeeRepository(tx, outbox), {
    store: (repo) => repo,
    subject: (id) => `employees/${id}`,
    missing: (id) => notFound(ErrorReason.EMPLOYEE_NOT_FOUND, id),
    message: (changed: Employee): { employee?: ReturnType<typeof toEmployeeMessage> } => ({
      employee: toEmployeeMessage(changed),
    }),
  });
  /** Load → check etag → domain command → save, once per request id. */
  const { change } = commands;

  /**
   * The manager a command names, or null. A malformed or unknown id is not
   * refused here: the domain reports it together with every other problem.
   */
  async function findManager(repo: EmployeeRepository, tenantId: string, managerId: string): Promise<Employee | null> {
    const id = managerId.toLowerCase();
    return new FieldChecks().uuid("manager_id", id) ? ((await repo.get(tenantId, id)) ?? null) : null;
  }

  return {
    async getEmployee(request, call) {
      return {
        employee: toEmployeeMessage(
          await commands.load(employees(call), call.caller.tenantId, requireId("id", request.id)),
        ),
      };
    },

    async batchGetEmployees(request, call) {
      const ids = requireIds("ids", request.ids);
      const { found, notFoundIds } = inRequestOrder(ids, await employees(call).getMany(call.caller.tenantId, ids));
      return { employees: found.map(toEmployeeMessage), notFoundIds };
    },

    async listEmployees(request, call) {
      const pageSize = pageSizeOf(request.pageSize);
      const filter: EmployeeFilter = {
        departmentId: optionalId("department_id", request.departmentId) ?? undefined,
        managerId: optionalId("manager_id", request.managerId) ?? undefined,
        managerIds: idsFilter("manager_ids", request.managerIds),
        status: statusFilter("status", request.status),
      };
      const afterId = decodePageToken(methods.listEmployees, request.pageToken, call.caller.tenantId, filter);
      const rows = await employees(call).list(call.caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(methods.listEmployees, rows, pageSize, call.caller.tenantId, filter);
      return { employees: items.map(toEmployeeMessage), nextPageToken };
    },

    hireEmployee(request, call) {
      return commands.run(call, methods.hireEmployee, request, async (repo) => {
        const hired = hireEmployee(
          {
            id: uuidv7(),
            tenantId: call.caller.tenantId,
            givenName: request.givenName,
            familyName: request.familyName,
            workEmail: request.workEmail,
            jobTitle: request.jobTitle,
            departmentId: request.departmentId,
            managerId: request.managerId,
            hireDate: request.hireDate,
          },
          await findManager(repo, call.caller.tenantId, request.managerId),
          nowIso(),
        );
        assertDepartmentOpen(hired.departmentId, await repo.lockDepartment(hired.tenantId, hired.departmentId));
        await repo.insert(hired);
        return { employee: toEmployeeMessage(hired) };
      });
    },

    updateEmployee(request, call) {
      const given = request.employee;
      const id = requireId("employee.id", given?.id ?? "");
      const paths = updateMaskPaths(request.updateMask, [
        "given_name",
        "family_name",
        "work_email",
        "job_title",
      ] as const);
      checkOwnEdit(call, id, paths);
      return change(call, methods.updateEmployee, request, id, given?.etag ?? "", (current) =>
        updateEmployee(
          current,
          {
            ...(paths.has("given_name") && { givenName: given?.givenName ?? "" }),
            ...(paths.has("family_name") && { familyName: given?.familyName ?? "" }),
            ...(paths.has("work_email") && { workEmail: given?.workEmail ?? "" }),
            ...(paths.has("job_title") && { jobTitle: given?.jobTitle ?? "" }),
          },
          nowIso(),
        ),
      );
    },

    activateEmployee(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.activateEmployee, request, id, request.etag, (current) =>
        activateEmployee(current, nowIso()),
      );
    },

    transferEmployee(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.transferEmployee, request, id, request.etag, async (current, repo) => {
        const moved = transferEmployee(
          current,
          { departmentId: request.departmentId, managerId: request.managerId },
          await findManager(repo, call.caller.tenantId, request.managerId),
          nowIso(),
        );
        // Staying in one's department is no placement: an archived one is kept.
        if (moved.departmentId !== current.departmentId) {
          assertDepartmentOpen(moved.departmentId, await repo.lockDepartment(moved.tenantId, moved.departmentId));
        }
        return moved;
      });
    },

    terminateEmployee(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.terminateEmployee, request, id, request.etag, (current) =>
        terminateEmployee(current, request.effectiveDate, nowIso()),
      );
    },
  };
}
