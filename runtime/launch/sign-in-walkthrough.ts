import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { decodeJwt } from "jose";
import { Metadata } from "nice-grpc";
import { EmployeeServiceDefinition } from "../../generated/proto/hr/employee/v1/employee_service.js";
import { AccountServiceDefinition, Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { DepartmentServiceDefinition } from "../../generated/proto/hr/organization/v1/department_service.js";
import { SelfServiceDefinition } from "../../generated/proto/hr/selfservice/v1/self_service.js";
import { SessionServiceDefinition } from "../../generated/proto/hr/session/v1/session_service.js";
import { clientPolicyOf } from "../client/client-config.js";
import { createServiceClient, openChannel } from "../client/service-client.js";
import { type ProcessName, portOf } from "../platform.js";
import { readRuntimeConfig } from "../server/runtime-config.js";
import { developmentToken } from "./development-token.js";

/**
 * How a person signs in, end to end against `npm start`: an administrator
 * (a development token) hires an employee and gives them a login; the person
 * logs in through the session app with name and password only, and reads
 * their own profile through self-service with the access token they got;
 * then they change their password, which ends that sign-in (its refresh
 * token is refused), and sign in again with the new one.
 * `npm run -s sign-in -- --tenant acme`.
 */
const { values } = parseArgs({ options: { tenant: { type: "string", default: "demo-tenant" } } });
const tenantId = values.tenant;
const port = (name: ProcessName) => `127.0.0.1:${portOf(name)}`;
const policy = clientPolicyOf(readRuntimeConfig());
const client = <D extends Parameters<typeof createServiceClient>[0]>(definition: D, target: string) =>
  createServiceClient(definition, openChannel(target, { balancing: policy.balancing }), policy);
const bearer = (token: string) => ({ metadata: Metadata({ authorization: `Bearer ${token}` }) });
const say = (step: string, value: unknown) => process.stdout.write(`${step}: ${JSON.stringify(value)}\n`);

const admin = bearer(
  await developmentToken(
    { tenantId, userId: "walkthrough-admin", roles: ["tenant_admin", "hr_admin", "employee"] },
    300,
  ),
);
// A hire names an existing, active department of the tenant.
const { department } = await client(DepartmentServiceDefinition, port("people")).createDepartment(
  { requestId: randomUUID(), name: "Engineering", code: `ENG-${randomUUID().slice(0, 8)}`, parentDepartmentId: "" },
  admin,
);
const { employee } = await client(EmployeeServiceDefinition, port("people")).hireEmployee(
  {
    requestId: randomUUID(),
    ...{ givenName: "Ada", familyName: "Lovelace", workEmail: `ada.${randomUUID().slice(0, 8)}@example.com` },
    ...{ jobTitle: "Engineer", departmentId: department?.id ?? "", managerId: "", hireDate: "2026-01-05" },
  },
  admin,
);
say("hired (as an administrator)", { employeeId: employee?.id });
const loginName = `ada.${randomUUID().slice(0, 8)}@example.com`;
const password = "correct horse battery staple";
const accounts = client(AccountServiceDefinition, port("identity"));
await accounts.createAccount(
  {
    requestId: randomUUID(),
    ...{ loginName, employeeId: employee?.id ?? "", displayName: "Ada", roles: [Role.ROLE_EMPLOYEE] },
    initialPassword: password,
  },
  admin,
);
say("login created", { loginName });
const sessions = client(SessionServiceDefinition, port("session"));
const { tokens } = await sessions.login({
  tenantId,
  loginName,
  password,
});
say("logged in (no token needed)", { accessTokenExpires: tokens?.accessTokenExpireTime });
const me = await client(SelfServiceDefinition, port("self-service")).getMyProfile(
  {},
  bearer(tokens?.accessToken ?? ""),
);
say("self-service GetMyProfile with that access token", {
  id: me.employee?.id,
  name: `${me.employee?.givenName} ${me.employee?.familyName}`,
});

// The access token's subject is the account: the person changes their own password with it.
const self = bearer(tokens?.accessToken ?? "");
const { account } = await accounts.getAccount({ id: String(decodeJwt(tokens?.accessToken ?? "").sub) }, self);
const newPassword = "a new and longer passphrase";
await accounts.changePassword(
  { requestId: randomUUID(), id: account?.id ?? "", etag: account?.etag ?? "", currentPassword: password, newPassword },
  self,
);
const refresh = await sessions.refresh({ refreshToken: tokens?.refreshToken ?? "" }).then(
  () => "accepted",
  (error: Error) => `refused: ${error.message}`,
);
say("password changed; the refresh token from before the change", refresh);
const again = await sessions.login({ tenantId, loginName, password: newPassword });
say("logged in with the new password", { accessTokenExpires: again.tokens?.accessTokenExpireTime });
process.exit(0);
