import {
  type Account as AccountMessage,
  AccountStatus,
  Role as RoleMessage,
} from "../../../generated/proto/hr/identity/v1/account_service.js";
import { etagOf } from "../../../runtime/domain/etag.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";
import type { AccountView, AccountStatus as Status } from "./account.js";
import { ROLES, type Role } from "./roles.js";

const STATUS_TO_PROTO: Record<Status, AccountStatus> = {
  active: AccountStatus.ACCOUNT_STATUS_ACTIVE,
  disabled: AccountStatus.ACCOUNT_STATUS_DISABLED,
  locked: AccountStatus.ACCOUNT_STATUS_LOCKED,
};

const ROLE_TO_PROTO: Record<Role, RoleMessage> = {
  employee: RoleMessage.ROLE_EMPLOYEE,
  manager: RoleMessage.ROLE_MANAGER,
  hr_admin: RoleMessage.ROLE_HR_ADMIN,
  tenant_admin: RoleMessage.ROLE_TENANT_ADMIN,
  recruiter: RoleMessage.ROLE_RECRUITER,
};

/** The aggregate as clients see it. It takes the view type, so a password hash cannot slip in. */
export function toAccountMessage(a: AccountView): AccountMessage {
  return {
    id: a.id,
    loginName: a.loginName,
    employeeId: a.employeeId ?? "",
    displayName: a.displayName,
    roles: rolesToProto(a.roles),
    status: STATUS_TO_PROTO[a.status],
    failedVerificationCount: a.failedVerifications,
    passwordChangeTime: new Date(a.passwordChangeTime),
    etag: etagOf(a.version),
    createTime: new Date(a.createTime),
    updateTime: new Date(a.updateTime),
  };
}

export function rolesToProto(roles: readonly Role[]): RoleMessage[] {
  return roles.map((role) => ROLE_TO_PROTO[role]);
}

/**
 * Role names of a role set as sent; UNSPECIFIED and values this server does
 * not know (e.g. 99) keep a name the domain refuses, so it reports them with
 * every other bad field.
 */
export function roleNamesOf(roles: readonly RoleMessage[]): string[] {
  return roles.map((value) => ROLES.find((role) => ROLE_TO_PROTO[role] === value) ?? `unknown role ${value}`);
}

/**
 * The List filters: UNSPECIFIED (or an empty employee id) means any; a value
 * this server does not know (e.g. 99) or an employee id that is no UUID is
 * INVALID_ARGUMENT, every field checked at once.
 */
export function listFilterOf(request: { status: AccountStatus; role: RoleMessage; employeeId: string }) {
  const checks = new FieldChecks();
  checks.optionalUuid("employee_id", request.employeeId);
  const status = (Object.keys(STATUS_TO_PROTO) as Status[]).find((s) => STATUS_TO_PROTO[s] === request.status);
  const role = ROLES.find((r) => ROLE_TO_PROTO[r] === request.role);
  const anyStatus = request.status === AccountStatus.ACCOUNT_STATUS_UNSPECIFIED;
  const anyRole = request.role === RoleMessage.ROLE_UNSPECIFIED;
  checks.check("status", anyStatus || status !== undefined, "is not a known account status");
  checks.check("role", anyRole || role !== undefined, "is not a known role");
  checks.throwIfAny();
  // Stored lower case (see draftAccount), so compared lower case.
  const employeeId = request.employeeId === "" ? undefined : request.employeeId.toLowerCase();
  return { status, role, employeeId };
}
