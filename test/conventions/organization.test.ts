import { randomUUID } from "node:crypto";
import type {
  CreateDepartmentRequest,
  Department,
  ListDepartmentsRequest,
} from "../../generated/proto/hr/organization/v1/department_service.js";
import { startPeople } from "../support/people-under-test.js";
import { type ContextAdapter, required } from "./adapter.js";
import { describeConventions } from "./suite.js";

// The conventions (tenancy, request ids, etags, paging) in the organization context.
// Run alone: npx vitest run test/conventions/organization.test.ts

type Filter = Partial<Pick<ListDepartmentsRequest, "parentDepartmentId" | "includeArchived">>;

const departments: ContextAdapter<Department, CreateDepartmentRequest, Filter> = {
  context: "organization",
  noun: "department",
  async start() {
    const people = await startPeople();
    const client = people.departments;
    return {
      field: "department",
      notFoundReason: "DEPARTMENT_NOT_FOUND",
      createRequest: () => ({
        requestId: randomUUID(),
        name: "Engineering",
        code: `ENG-${randomUUID().slice(0, 8)}`,
        parentDepartmentId: "",
        headEmployeeId: "",
      }),
      otherPayloads: (request) => [
        { ...request, name: "Something else" },
        { ...request, code: "OTHER" },
      ],
      create: (request, caller) => client.createDepartment(request, caller),
      get: async (id, caller) => (await client.getDepartment({ id }, caller)).department!,
      batchGet: async (ids, caller) => {
        const batch = await client.batchGetDepartments({ ids }, caller);
        return { found: batch.departments, notFoundIds: batch.notFoundIds };
      },
      list: async (caller, page, filter = {}) => {
        const request = { includeArchived: false, ...page, ...filter };
        const { departments, nextPageToken } = await client.listDepartments(request, caller);
        return { items: departments, nextPageToken };
      },
      // Every department the adapter creates is top-level.
      filter: { parentDepartmentId: "" },
      otherFilters: [{ parentDepartmentId: "", includeArchived: true }, { parentDepartmentId: randomUUID() }],
      change: required("UpdateDepartment", (d, caller, { requestId, etag }, variant = 0) =>
        client.updateDepartment(
          { requestId, department: { ...d, etag, name: `Renamed ${variant}` }, updateMask: ["name"] },
          caller,
        ),
      ),
      commands: [
        required("MoveDepartment", (d, caller, key) =>
          client.moveDepartment({ ...key, id: d.id, newParentDepartmentId: "" }, caller),
        ),
        required("ArchiveDepartment", (d, caller, key) => client.archiveDepartment({ ...key, id: d.id }, caller)),
      ],
      stop: () => people.stop(),
    };
  },
};

describeConventions(departments);
