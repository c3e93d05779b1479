import { randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, expect } from "vitest";
import {
  type Account,
  AccountStatus,
  type CreateAccountRequest,
  type ListAccountsRequest,
  Role,
} from "../../generated/proto/hr/identity/v1/account_service.js";
import { as, type Caller } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";

// What the identity test files share: a real identity server per file, and
// the calls and checks they make on accounts.

let server: IdentityUnderTest | undefined;

/** Starts a real identity server over a fresh database for the calling test file. */
export function startIdentityPerFile(): void {
  beforeAll(async () => {
    server = await startIdentity();
  });
  afterAll(() => server?.stop());
}

/** The identity server of this test file. */
export const identity = {
  get current(): IdentityUnderTest {
    if (server === undefined) throw new Error("call startIdentityPerFile() in the test file");
    return server;
  },
  get accounts() {
    return identity.current.accounts;
  },
  get db() {
    return identity.current.db;
  },
  get sql() {
    return identity.current.sql;
  },
};

export const PASSWORD = "correct horse battery staple";
export const OTHER_PASSWORD = "Tr0ub4dor&3-but-longer";
export const { ACCOUNT_STATUS_ACTIVE: ACTIVE, ACCOUNT_STATUS_DISABLED: DISABLED } = AccountStatus;
export const { ACCOUNT_STATUS_LOCKED: LOCKED } = AccountStatus;
export const { ROLE_EMPLOYEE: EMPLOYEE, ROLE_MANAGER: MANAGER, ROLE_HR_ADMIN: HR_ADMIN } = Role;
export const { ROLE_TENANT_ADMIN: TENANT_ADMIN, ROLE_RECRUITER: RECRUITER } = Role;
export const UNKNOWN = 99 as Role;

export const createRequest = (overrides: Partial<CreateAccountRequest> = {}): CreateAccountRequest => ({
  requestId: randomUUID(),
  loginName: `ada.${randomUUID().slice(0, 8)}@example.com`,
  employeeId: randomUUID(),
  displayName: "Ada Lovelace",
  roles: [EMPLOYEE],
  initialPassword: PASSWORD,
  ...overrides,
});

export function present(account: Account | undefined): Account {
  if (account === undefined) throw new Error("the response carries no account");
  return account;
}

export async function create(caller: Caller, overrides: Partial<CreateAccountRequest> = {}): Promise<Account> {
  return present((await identity.accounts.createAccount(createRequest(overrides), caller)).account);
}

export async function read(caller: Caller, id: string): Promise<Account> {
  return present((await identity.accounts.getAccount({ id }, caller)).account);
}

/**
 * VerifyCredentials as the session application calls it: with a service
 * token of the caller's tenant (none when `caller` is undefined).
 */
export async function verify(caller: Caller | undefined, loginName: string, password: string) {
  const session = caller && (await as(caller.tenantId, ["session_service"]));
  return identity.accounts.verifyCredentials({ loginName, password }, session);
}

/** A verification that must be refused: always the one uniform answer. */
export async function refused(caller: Caller, loginName: string, password: string) {
  const error = await expectError(verify(caller, loginName, password), Status.UNAUTHENTICATED);
  expect(error).toEqual({
    code: Status.UNAUTHENTICATED,
    message: "invalid login name or password, or too many failed attempts: wait and try again",
    reason: "INVALID_CREDENTIALS",
    fields: [],
    preconditions: [],
  });
}

export async function changePassword(caller: Caller, a: Account, newPassword: string, currentPassword = "") {
  const request = { requestId: randomUUID(), id: a.id, etag: a.etag, currentPassword, newPassword };
  return present((await identity.accounts.changePassword(request, caller)).account);
}

export async function disable(caller: Caller, a: Account): Promise<Account> {
  const request = { requestId: randomUUID(), id: a.id, etag: a.etag };
  return present((await identity.accounts.disableAccount(request, caller)).account);
}

export async function enable(caller: Caller, a: Account): Promise<Account> {
  const request = { requestId: randomUUID(), id: a.id, etag: a.etag };
  return present((await identity.accounts.enableAccount(request, caller)).account);
}

/** Five wrong passwords in a row: from now on the account's next attempt must wait (30 s by default). */
export async function failFiveTimes(caller: Caller, a: Account): Promise<Account> {
  for (let i = 0; i < 5; i++) await refused(caller, a.loginName, `wrong password ${i}`);
  return read(caller, a.id);
}

/** Lets the account's wait pass without waiting: its last failure moves back past the longest wait. */
export async function passTheWait(a: Account): Promise<void> {
  const longAgo = new Date(Date.now() - 16 * 60_000);
  await identity.db.account.update({ where: { id: a.id }, data: { lastFailureTime: longAgo } });
}

/**
 * An account as the old rule (5 failures → LOCKED) left it: no method sets
 * LOCKED any more, so the test writes it, as the database may still hold it.
 */
export async function lockedByTheOldRule(caller: Caller, a: Account): Promise<Account> {
  const data = { status: "locked", failedVerifications: 5, version: { increment: 1 } };
  await identity.db.account.update({ where: { id: a.id }, data });
  return read(caller, a.id);
}

export const rowOf = (id: string) => identity.db.account.findUniqueOrThrow({ where: { id } });
export const rowsOf = (tenantId: string) => identity.db.account.count({ where: { tenantId } });
export const recordsOf = (tenantId: string) => identity.db.idempotencyRecord.findMany({ where: { tenantId } });

export async function listIds(caller: Caller, filter: Partial<ListAccountsRequest> = {}): Promise<string[]> {
  const page = await identity.accounts.listAccounts({ pageSize: 200, ...filter }, caller);
  expect(page.nextPageToken).toBe("");
  return page.accounts.map((a) => a.id);
}
