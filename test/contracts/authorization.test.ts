import { readFileSync } from "node:fs";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { authorizationRules } from "../../runtime/auth/authorization-rules.js";
import { ROLES } from "../../services/identity/account/roles.js";

// Every method of every service in the contracts declares who may call it
// (proto/hr/auth/v1/authorization.proto). A method without a rule refuses
// every call at run time; this test finds it before anyone calls it.

const DESCRIPTOR_SET = readFileSync(new URL("../../generated/descriptor.binpb", import.meta.url));

/** Paths of the methods that declare no authorization rule, or one that allows nobody. */
function methodsWithoutRule(descriptorSet: Uint8Array): string[] {
  return [...authorizationRules(descriptorSet).methods]
    .filter(([, rule]) => rule === undefined || (!rule.public && rule.allow.size + rule.allowOwn.size === 0))
    .map(([path]) => path);
}

/** The descriptor set with the authorization option removed from one method. */
function withoutRuleOn(service: string, method: string): Uint8Array {
  const set = fromBinary(FileDescriptorSetSchema, DESCRIPTOR_SET);
  const target = set.file
    .flatMap((file) => file.service.map((s) => ({ s, typeName: `${file.package}.${s.name}` })))
    .find(({ typeName }) => typeName === service)
    ?.s.method.find((m) => m.name === method);
  if (target?.options === undefined) throw new Error(`no ${service}/${method} with options`);
  // Custom options are unknown fields of MethodOptions to the decoder; idempotency_level stays.
  target.options.$unknown = undefined;
  return toBinary(FileDescriptorSetSchema, set);
}

describe("authorization rules in the contract", () => {
  const rules = authorizationRules(DESCRIPTOR_SET);

  it("reads every service's methods from the descriptor set", () => {
    const services = new Set([...rules.methods.keys()].map((path) => path.split("/")[1]));
    expect([...services].sort()).toEqual([
      "hr.candidacy.v1.ApplicationService",
      "hr.directory.v1.DirectoryService",
      "hr.directory.v2.DirectoryService",
      "hr.employee.v1.EmployeeService",
      "hr.identity.v1.AccountService",
      "hr.notification.v1.NotificationService",
      "hr.onboarding.v1.OnboardingService",
      "hr.onboardingcase.v1.OnboardingCaseService",
      "hr.organization.v1.DepartmentService",
      "hr.requisition.v1.JobOpeningService",
      "hr.selfservice.v1.SelfService",
      "hr.session.v1.SessionService",
      "hr.sessionstore.v1.SessionService",
      "hr.timeoff.v1.LeaveAccountService",
    ]);
  });

  it("declares a rule allowing someone on every method", () => {
    expect(methodsWithoutRule(DESCRIPTOR_SET)).toEqual([]);
  });

  it("finds a method whose rule was removed, so the check cannot pass vacuously", () => {
    const stripped = withoutRuleOn("hr.timeoff.v1.LeaveAccountService", "ApproveLeave");
    expect(methodsWithoutRule(stripped)).toEqual(["/hr.timeoff.v1.LeaveAccountService/ApproveLeave"]);
  });

  it("names roles as tokens carry them, every role an account grants among them", () => {
    expect(rules.roles).toEqual([
      "tenant_admin",
      "hr_admin",
      "manager",
      "employee",
      "recruiter",
      "session_service",
      "workflow_service",
    ]);
    expect(ROLES.filter((role) => !rules.roles.includes(role))).toEqual([]);
  });

  it("reads a rule as the proto declares it", () => {
    expect(rules.methods.get("/hr.timeoff.v1.LeaveAccountService/ApproveLeave")).toEqual({
      allow: new Set(["hr_admin", "manager"]),
      allowOwn: new Set(),
      denyOwn: true,
      public: false,
    });
    expect(rules.methods.get("/hr.identity.v1.AccountService/GetAccount")).toEqual({
      allow: new Set(["tenant_admin", "hr_admin", "session_service"]),
      allowOwn: new Set(["manager", "employee", "recruiter"]),
      denyOwn: false,
      public: false,
    });
  });

  it("keeps service roles to what applications need: the session service verifies credentials and keeps sign-ins", () => {
    const forSession = [...rules.methods].filter(([, rule]) => rule?.allow.has("session_service"));
    expect(forSession.map(([path]) => path).sort()).toEqual([
      "/hr.identity.v1.AccountService/GetAccount",
      "/hr.identity.v1.AccountService/VerifyCredentials",
      "/hr.sessionstore.v1.SessionService/RevokeSession",
      "/hr.sessionstore.v1.SessionService/RotateRefreshToken",
      "/hr.sessionstore.v1.SessionService/StartSession",
    ]);
  });

  it("keeps the workflow service to what the process managers need", () => {
    const forWorkflow = [...rules.methods].filter(([, rule]) => rule?.allow.has("workflow_service"));
    expect(forWorkflow.map(([path]) => path).sort()).toEqual([
      // Onboarding: read an accepted application and its opening.
      "/hr.candidacy.v1.ApplicationService/GetApplication",
      // Onboarding: hire, check the employee a login links to; a cancel terminates the hire.
      "/hr.employee.v1.EmployeeService/GetEmployee",
      "/hr.employee.v1.EmployeeService/HireEmployee",
      "/hr.employee.v1.EmployeeService/TerminateEmployee",
      // Onboarding creates the login; offboarding finds and disables it.
      "/hr.identity.v1.AccountService/CreateAccount",
      "/hr.identity.v1.AccountService/DisableAccount",
      "/hr.identity.v1.AccountService/ListAccounts",
      // Both flows tell people what they did.
      "/hr.notification.v1.NotificationService/SendNotification",
      // The onboarding cases: only the process manager changes them.
      "/hr.onboardingcase.v1.OnboardingCaseService/CancelCase",
      "/hr.onboardingcase.v1.OnboardingCaseService/CompleteCancellation",
      "/hr.onboardingcase.v1.OnboardingCaseService/GetCase",
      "/hr.onboardingcase.v1.OnboardingCaseService/ListCases",
      "/hr.onboardingcase.v1.OnboardingCaseService/ListTenantsWithDueCases",
      "/hr.onboardingcase.v1.OnboardingCaseService/OpenCase",
      "/hr.onboardingcase.v1.OnboardingCaseService/RecordStepDone",
      "/hr.onboardingcase.v1.OnboardingCaseService/RecordStepFailed",
      "/hr.onboardingcase.v1.OnboardingCaseService/ResumeCase",
      "/hr.requisition.v1.JobOpeningService/GetJobOpening",
      // Offboarding settles leave accounts; onboarding opens them.
      "/hr.timeoff.v1.LeaveAccountService/ListLeaveAccounts",
      "/hr.timeoff.v1.LeaveAccountService/OpenLeaveAccount",
      "/hr.timeoff.v1.LeaveAccountService/SettleLeaveAccount",
    ]);
  });

  it("opens only the sign-in methods to callers without a token", () => {
    const open = [...rules.methods].filter(([, rule]) => rule?.public);
    expect(open.map(([path]) => path).sort()).toEqual([
      "/hr.session.v1.SessionService/Login",
      "/hr.session.v1.SessionService/Logout",
      "/hr.session.v1.SessionService/Refresh",
    ]);
  });
});
