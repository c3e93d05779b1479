import type { FieldChecks } from "../../../runtime/domain/validation.js";

/** A login's roles as tokens name them ("employee"); the process manager grants only people's roles. */
export const GRANTABLE_ROLES = ["employee", "manager", "recruiter"] as const;
export const LEAVE_TYPES = ["annual", "sick", "unpaid", "parental"] as const;
export type LeaveType = (typeof LEAVE_TYPES)[number];

export interface LeaveEntitlement {
  leaveType: string;
  entitlementHalfDays: number;
}

/** The person to onboard and what to open for them. */
export interface NewHire {
  givenName: string;
  familyName: string;
  workEmail: string;
  jobTitle: string;
  departmentId: string;
  managerId: string;
  startDate: string;
  loginName: string;
  roles: string[];
  leaveEntitlements: LeaveEntitlement[];
}

/** At most one account per leave type and year, as timeoff holds them. */
const MAX_HALF_DAYS = 732;

/**
 * Checks and normalizes a new hire (trimmed names, lower-case emails and
 * ids, roles in a stable order). Field names are prefixed with `at`
 * ("new_hire.work_email"). The rules are those of the commands the steps
 * run, checked up front so that a case does not stop on what HR can fix now.
 */
export function checkNewHire(checks: FieldChecks, given: NewHire, at: string): NewHire {
  const field = (name: string) => `${at}.${name}`;
  const givenName = given.givenName.trim();
  checks.text(field("given_name"), givenName, { min: 1, max: 100 });
  const familyName = given.familyName.trim();
  checks.text(field("family_name"), familyName, { min: 1, max: 100 });
  const workEmail = given.workEmail.trim().toLowerCase();
  checks.email(field("work_email"), workEmail);
  const jobTitle = given.jobTitle.trim();
  checks.text(field("job_title"), jobTitle, { min: 0, max: 200 });
  const departmentId = given.departmentId.toLowerCase();
  checks.uuid(field("department_id"), departmentId);
  const managerId = given.managerId.toLowerCase();
  checks.optionalUuid(field("manager_id"), managerId);
  checks.isoDate(field("start_date"), given.startDate);
  const loginName = given.loginName.trim().toLowerCase();
  checks.email(field("login_name"), loginName);
  checks.check(field("roles"), given.roles.length > 0, "must hold at least one role");
  for (const [i, role] of given.roles.entries()) {
    const grantable = (GRANTABLE_ROLES as readonly string[]).includes(role);
    checks.check(`${field("roles")}[${i}]`, grantable, "must be EMPLOYEE, MANAGER or RECRUITER");
  }
  const roles = GRANTABLE_ROLES.filter((role) => given.roles.includes(role));
  const seen = new Set<string>();
  for (const [i, e] of given.leaveEntitlements.entries()) {
    const at = `${field("leave_entitlements")}[${i}]`;
    const known = (LEAVE_TYPES as readonly string[]).includes(e.leaveType);
    checks.check(`${at}.leave_type`, known, "must be a known leave type");
    checks.check(`${at}.leave_type`, !seen.has(e.leaveType), "is given twice");
    seen.add(e.leaveType);
    const days = Number.isInteger(e.entitlementHalfDays) && e.entitlementHalfDays >= 0;
    checks.check(`${at}.entitlement_half_days`, days && e.entitlementHalfDays <= MAX_HALF_DAYS, "must be 0 to 732");
  }
  return {
    givenName,
    familyName,
    workEmail,
    jobTitle,
    departmentId,
    managerId,
    startDate: given.startDate,
    loginName,
    roles: [...roles],
    leaveEntitlements: given.leaveEntitlements.map((e) => ({ ...e })),
  };
}
