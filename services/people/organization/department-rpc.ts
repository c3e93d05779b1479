import { v7 as uuidv7 } from "uuid";
import {
  type DepartmentServiceDefinition as Definition,
  DepartmentServiceDefinition,
} from "../../../generated/proto/hr/organization/v1/department_service.js";
import { ErrorReason } from "../../../generated/proto/hr/organization/v1/error_reason.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { VersionedCommands, type VersionedStore } from "../../../runtime/db/versioned-commands.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
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

/**
 * The departments of a tree-changing command: the tenant's tree lock is taken
 * before the department is read, so two concurrent moves cannot build a cycle
 * together and a child cannot appear under a department being archived.
 */
function inLockedTree(repo: DepartmentRepository): VersionedStore<Department> {
  return {
    async get(tenantId, id) {
      await repo.lockTree(tenantId);
      return repo.get(tenantId, id);
    },
    update: (changed, current) => repo.update(changed, current),
  };
}

/** hr.organization.v1.DepartmentService: validates, runs the domain through the repository, maps to protobuf. */
export function departmentRpc(db: SqlDatabase): BusinessService<typeof Definition> {
  const departments = (call: { signal: AbortSignal }) => new DepartmentRepository(db.forCall(call.signal));
  /** Load → check etag → domain command → save, once per request id, reading the department through `store`. */
  const versioned = (store: (repo: DepartmentRepository) => VersionedStore<Department>) =>
    new VersionedCommands(db, (tx) => new DepartmentRepository(tx), {
      store,
      subject: (id) => `departments/${id}`,
      missing: (id) => notFound(ErrorReason.DEPARTMENT_NOT_FOUND, id),
      message: (changed: Department): DepartmentResponse => ({ department: toDepartmentMessage(changed) }),
    });
  const commands = versioned((repo) => repo);
  /** Commands that change the tree (CreateDepartment takes the tree lock itself: it changes no department). */
  const treeCommands = versioned(inLockedTree);

  return {
    async getDepartment(request, call) {
      return commands.message(
        await commands.load(departments(call), call.caller.tenantId, requireId("id", request.id)),
      );
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
      return treeCommands.run(call, methods.createDepartment, request, async (repo) => {
        await repo.lockTree(call.caller.tenantId);
        const parent = parentId === null ? null : await commands.load(repo, call.caller.tenantId, parentId);
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
        return commands.message(created);
      });
    },

    updateDepartment(request, call) {
      const given = request.department;
      const id = requireId("department.id", given?.id ?? "");
      const paths = updateMaskPaths(request.updateMask, ["name", "code", "head_employee_id"] as const);
      const head = given?.headEmployeeId ?? "";
      return commands.change(call, methods.updateDepartment, request, id, given?.etag ?? "", (current) =>
        updateDepartment(
          current,
          {
            ...(paths.has("name") && { name: given?.name ?? "" }),
            ...(paths.has("code") && { code: given?.code ?? "" }),
            ...(paths.has("head_employee_id") && { headEmployeeId: head === "" ? null : head.toLowerCase() }),
          },
          nowIso(),
        ),
      );
    },

    moveDepartment(request, call) {
      const id = requireId("id", request.id);
      const newParentId = optionalId("new_parent_department_id", request.newParentDepartmentId);
      return treeCommands.change(call, methods.moveDepartment, request, id, request.etag, async (current, repo) => {
        const tenantId = call.caller.tenantId;
        const newParent = newParentId === null ? null : await commands.load(repo, tenantId, newParentId);
        const ancestors = newParentId === null ? [] : await repo.ancestorIds(tenantId, newParentId);
        return moveDepartment(current, newParent, ancestors, nowIso());
      });
    },

    archiveDepartment(request, call) {
      const id = requireId("id", request.id);
      return treeCommands.change(call, methods.archiveDepartment, request, id, request.etag, async (current, repo) =>
        archiveDepartment(current, await repo.countActiveChildren(call.caller.tenantId, id), nowIso()),
      );
    },
  };
}
