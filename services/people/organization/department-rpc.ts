import { v7 as uuidv7 } from "uuid";
import {
  type DepartmentServiceDefinition as Definition,
  DepartmentServiceDefinition,
} from "../../../generated/proto/hr/organization/v1/department_service.js";
import { ErrorReason } from "../../../generated/proto/hr/organization/v1/error_reason.js";
import { type CommandMethod, CommandPipeline, type TenantCall } from "../../../runtime/db/commands.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import { assertEtag } from "../../../runtime/domain/etag.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { inRequestOrder, optionalId, requireId, requireIds } from "../../../runtime/server/request-checks.js";
import { updateMaskPaths } from "../../../runtime/server/update-mask.js";
import {
  archiveDepartment,
  createDepartment,
  type Department,
  moveDepartment,
  updateDepartment,
} from "./department.js";
import { toDepartmentMessage } from "./department-proto.js";
import { type DepartmentFilter, DepartmentRepository } from "./department-repository.js";

const methods = DepartmentServiceDefinition.methods;
type DepartmentResponse = { department?: ReturnType<typeof toDepartmentMessage> };

/** hr.organization.v1.DepartmentService: validates, runs the domain through the repository, maps to protobuf. */
export function departmentRpc(db: SqlDatabase): BusinessService<typeof Definition> {
  const departments = (call: { signal: AbortSignal }) => new DepartmentRepository(db.forCall(call.signal));
  const commands = new CommandPipeline(db, (tx) => new DepartmentRepository(tx));

  async function load(repo: DepartmentRepository, tenantId: string, id: string): Promise<Department> {
    return (await repo.get(tenantId, id)) ?? Promise.reject(notFound(ErrorReason.DEPARTMENT_NOT_FOUND, id));
  }

  /** Runs a tree-changing command once per request id, under the tenant's tree lock. */
  function treeCommand(
    call: TenantCall,
    method: CommandMethod<DepartmentResponse>,
    request: { requestId: string },
    work: (repo: DepartmentRepository) => Promise<Department>,
  ) {
    return commands.run(call, method, request, async (repo) => {
      await repo.lockTree(call.caller.tenantId);
      return { department: toDepartmentMessage(await work(repo)) };
    });
  }

  return {
    async getDepartment(request, call) {
      const department = await load(departments(call), call.caller.tenantId, requireId("id", request.id));
      return { department: toDepartmentMessage(department) };
    },

    async batchGetDepartments(request, call) {
      const ids = requireIds("ids", request.ids);
      const { found, notFoundIds } = inRequestOrder(ids, await departments(call).getMany(call.caller.tenantId, ids));
      return { departments: found.map(toDepartmentMessage), notFoundIds };
    },

    async listDepartments(request, call) {
      const pageSize = pageSizeOf(request.pageSize);
      const parent = request.parentDepartmentId;
      const filter: DepartmentFilter = {
        parentId: parent === undefined ? undefined : optionalId("parent_department_id", parent),
        includeArchived: request.includeArchived,
      };
      const afterId = decodePageToken(methods.listDepartments, request.pageToken, call.caller.tenantId, filter);
      const rows = await departments(call).list(call.caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(methods.listDepartments, rows, pageSize, call.caller.tenantId, filter);
      return { departments: items.map(toDepartmentMessage), nextPageToken };
    },

    createDepartment(request, call) {
      const parentId = optionalId("parent_department_id", request.parentDepartmentId);
      return treeCommand(call, methods.createDepartment, request, async (repo) => {
        const parent = parentId === null ? null : await load(repo, call.caller.tenantId, parentId);
        const created = createDepartment(
          {
            id: uuidv7(),
            tenantId: call.caller.tenantId,
            name: request.name,
            code: request.code,
            parentId,
            headEmployeeId: request.headEmployeeId === "" ? null : request.headEmployeeId.toLowerCase(),
          },
          parent,
          nowIso(),
        );
        await repo.insert(created);
        return created;
      });
    },

    updateDepartment(request, call) {
      const given = request.department;
      const id = requireId("department.id", given?.id ?? "");
      const paths = updateMaskPaths(request.updateMask, ["name", "code", "head_employee_id"] as const);
      return commands.run(call, methods.updateDepartment, request, async (repo) => {
        const current = await load(repo, call.caller.tenantId, id);
        assertEtag(`departments/${id}`, current.version, given?.etag ?? "");
        const head = given?.headEmployeeId ?? "";
        const updated = updateDepartment(
          current,
          {
            ...(paths.has("name") && { name: given?.name ?? "" }),
            ...(paths.has("code") && { code: given?.code ?? "" }),
            ...(paths.has("head_employee_id") && { headEmployeeId: head === "" ? null : head.toLowerCase() }),
          },
          nowIso(),
        );
        await repo.update(updated, current);
        return { department: toDepartmentMessage(updated) };
      });
    },

    moveDepartment(request, call) {
      const id = requireId("id", request.id);
      const newParentId = optionalId("new_parent_department_id", request.newParentDepartmentId);
      return treeCommand(call, methods.moveDepartment, request, async (repo) => {
        const current = await load(repo, call.caller.tenantId, id);
        assertEtag(`departments/${id}`, current.version, request.etag);
        const newParent = newParentId === null ? null : await load(repo, call.caller.tenantId, newParentId);
        const ancestors = newParentId === null ? [] : await repo.ancestorIds(call.caller.tenantId, newParentId);
        const moved = moveDepartment(current, newParent, ancestors, nowIso());
        await repo.update(moved, current);
        return moved;
      });
    },

    archiveDepartment(request, call) {
      const id = requireId("id", request.id);
      return treeCommand(call, methods.archiveDepartment, request, async (repo) => {
        const current = await load(repo, call.caller.tenantId, id);
        assertEtag(`departments/${id}`, current.version, request.etag);
        const archived = archiveDepartment(current, await repo.countActiveChildren(call.caller.tenantId, id), nowIso());
        await repo.update(archived, current);
        return archived;
      });
    },
  };
}
