import {
  type Department as DepartmentMessage,
  DepartmentStatus,
} from "../../../generated/proto/hr/organization/v1/department_service.js";
import { etagOf } from "../../../runtime/domain/etag.js";
import type { Department } from "./department.js";

/** The aggregate as clients see it. */
export function toDepartmentMessage(d: Department): DepartmentMessage {
  return {
    id: d.id,
    name: d.name,
    code: d.code,
    parentDepartmentId: d.parentId ?? "",
    headEmployeeId: d.headEmployeeId ?? "",
    status:
      d.status === "active" ? DepartmentStatus.DEPARTMENT_STATUS_ACTIVE : DepartmentStatus.DEPARTMENT_STATUS_ARCHIVED,
    etag: etagOf(d.version),
    createTime: new Date(d.createTime),
    updateTime: new Date(d.updateTime),
  };
}
