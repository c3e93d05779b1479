import { randomUUID } from "node:crypto";
import {
  type Account,
  AccountStatus,
  type CreateAccountRequest,
  type ListAccountsRequest,
  Role,
} from "../../generated/proto/hr/identity/v1/account_service.js";
import { startIdentity } from "../support/identity-under-test.js";
import { type ContextAdapter, required } from "./adapter.js";
import { describeConventions } from "./suite.js";

// The conventions (tenancy, request ids, etags, paging) in the identity context.
// Run alone: npx vitest run test/conventions/identity.test.ts

type Filter = Partial<Pick<ListAccountsRequest, "status" | "role" | "employeeId">>;
const { ROLE_EMPLOYEE: EMPLOYEE, ROLE_MANAGER: MANAGER, ROLE_HR_ADMIN: HR_ADMIN } = Role;
/** The role sets the variants of AssignRoles give an account. */
const ROLE_SETS = [[EMPLOYEE, MANAGER], [EMPLOYEE, HR_ADMIN], [EMPLOYEE, Role.ROLE_TENANT_ADMIN], [MANAGER]];

const accounts: ContextAdapter<Account, CreateAccountRequest, Filter> = {
  context: "identity",
  noun: "account",
  async start() {
    const identity = await startIdentity();
    const client = identity.accounts;
    return {
      field: "account",
      notFoundReason: "ACCOUNT_NOT_FOUND",
      createRequest: () => ({
        requestId: randomUUID(),
        loginName: `ada.${randomUUID().slice(0, 8)}@example.com`,
        employeeId: randomUUID(),
        displayName: "Ada Lovelace",
        roles: [EMPLOYEE],
        initialPassword: "correct horse battery staple",
      }),
      otherPayloads: (request) => [
        { ...request, displayName: "Someone else" },
        { ...request, initialPassword: "Tr0ub4dor&3-but-longer" },
      ],
      create: (request, caller) => client.createAccount(request, caller),
      get: async (id, caller) => (await client.getAccount({ id }, caller)).account!,
      list: async (caller, page, filter = {}) => {
        const { accounts, nextPageToken } = await client.listAccounts({ ...page, ...filter }, caller);
        return { items: accounts, nextPageToken };
      },
      filter: { role: EMPLOYEE },
      otherFilters: [
        { role: EMPLOYEE, status: AccountStatus.ACCOUNT_STATUS_ACTIVE },
        { role: MANAGER },
        { role: EMPLOYEE, employeeId: randomUUID() },
      ],
      change: required("AssignRoles", (a, caller, key, variant = 0) =>
        client.assignRoles({ ...key, id: a.id, roles: ROLE_SETS[variant] ?? [MANAGER] }, caller),
      ),
      commands: [
        required("ChangePassword", (a, caller, key) =>
          client.changePassword(
            { ...key, id: a.id, currentPassword: "", newPassword: "Tr0ub4dor&3-but-longer" },
            caller,
          ),
        ),
        required("DisableAccount", (a, caller, key) => client.disableAccount({ ...key, id: a.id }, caller)),
        required("EnableAccount", (a, caller, key) => client.enableAccount({ ...key, id: a.id }, caller)),
      ],
      stop: () => identity.stop(),
    };
  },
};

describeConventions(accounts);
