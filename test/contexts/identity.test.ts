import { randomUUID } from "node:crypto";
import { type CallOptions, createChannel, createClient, Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  AccountServiceDefinition,
  AccountStatus,
  type CreateAccountRequest,
  type ListAccountsRequest,
  Role,
} from "../../generated/proto/hr/identity/v1/account_service.js";
import { openSqlDatabase } from "../../runtime/db/sql.js";
import { AccountRepository } from "../../services/identity/account/account-repository.js";
import { settleVerification } from "../../services/identity/account/verify-credentials-rpc.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";

// The identity context (hr.identity.v1.AccountService) through its generated
// client against a real identity server and database.
// Run alone: npm test -- test/contexts/identity.test.ts

let identity: IdentityUnderTest;
let raw: RawClient;
let closeRaw: () => void;
beforeAll(async () => {
  identity = await startIdentity();
  const channel = createChannel(identity.address);
  raw = rawClient(channel);
  closeRaw = () => channel.close();
});
afterAll(async () => {
  closeRaw?.();
  await identity?.stop();
});

/** The same service, but every call answers the response's bytes as they came over the wire. */
type RawClient = Record<string, (request: unknown, options: CallOptions) => Promise<Buffer>>;
function rawClient(channel: ReturnType<typeof createChannel>): RawClient {
  const methods = Object.fromEntries(
    Object.entries(AccountServiceDefinition.methods).map(([name, method]) => [
      name,
      { ...method, responseType: { ...method.responseType, decode: (bytes: Uint8Array) => Buffer.from(bytes) } },
    ]),
  );
  const definition = { ...AccountServiceDefinition, methods } as unknown as typeof AccountServiceDefinition;
  return createClient(definition, channel) as unknown as RawClient;
}

const PASSWORD = "correct horse battery staple";
const OTHER_PASSWORD = "Tr0ub4dor&3-but-longer";
const { ACCOUNT_STATUS_ACTIVE: ACTIVE, ACCOUNT_STATUS_DISABLED: DISABLED } = AccountStatus;
const { ACCOUNT_STATUS_LOCKED: LOCKED } = AccountStatus;
const { ROLE_EMPLOYEE: EMPLOYEE, ROLE_MANAGER: MANAGER, ROLE_HR_ADMIN: HR_ADMIN } = Role;
const { ROLE_TENANT_ADMIN: TENANT_ADMIN } = Role;
const UNKNOWN = 99 as Role;

const createRequest = (overrides: Partial<CreateAccountRequest> = {}): CreateAccountRequest => ({
  requestId: randomUUID(),
  loginName: `ada.${randomUUID().slice(0, 8)}@example.com`,
  employeeId: randomUUID(),
  displayName: "Ada Lovelace",
  roles: [EMPLOYEE],
  initialPassword: PASSWORD,
  ...overrides,
});

function present(account: Account | undefined): Account {
  if (account === undefined) throw new Error("the response carries no account");
  return account;
}

async function create(caller: Caller, overrides: Partial<CreateAccountRequest> = {}): Promise<Account> {
  return present((await identity.accounts.createAccount(createRequest(overrides), caller)).account);
}

async function read(caller: Caller, id: string): Promise<Account> {
  return present((await identity.accounts.getAccount({ id }, caller)).account);
}

const verify = (caller: Caller, loginName: string, password: string) =>
  identity.accounts.verifyCredentials({ loginName, password }, caller);

/** A verification that must be refused: always the one uniform answer. */
async function refused(caller: Caller, loginName: string, password: string) {
  const error = await expectError(verify(caller, loginName, password), Status.UNAUTHENTICATED);
  expect(error).toEqual({
    code: Status.UNAUTHENTICATED,
    message: "invalid login name or password",
    reason: "INVALID_CREDENTIALS",
    fields: [],
    preconditions: [],
  });
}

async function changePassword(caller: Caller, a: Account, newPassword: string, currentPassword = "") {
  const request = { requestId: randomUUID(), id: a.id, etag: a.etag, currentPassword, newPassword };
  return present((await identity.accounts.changePassword(request, caller)).account);
}

async function disable(caller: Caller, a: Account): Promise<Account> {
  const request = { requestId: randomUUID(), id: a.id, etag: a.etag };
  return present((await identity.accounts.disableAccount(request, caller)).account);
}

async function enable(caller: Caller, a: Account): Promise<Account> {
  const request = { requestId: randomUUID(), id: a.id, etag: a.etag };
  return present((await identity.accounts.enableAccount(request, caller)).account);
}

async function lock(caller: Caller, a: Account): Promise<Account> {
  for (let i = 0; i < 5; i++) await refused(caller, a.loginName, `wrong password ${i}`);
  return read(caller, a.id);
}

const rowOf = (id: string) => identity.db.account.findUniqueOrThrow({ where: { id } });
const rowsOf = (tenantId: string) => identity.db.account.count({ where: { tenantId } });
const recordsOf = (tenantId: string) => identity.db.idempotencyRecord.findMany({ where: { tenantId } });

async function listIds(caller: Caller, filter: Partial<ListAccountsRequest> = {}): Promise<string[]> {
  const page = await identity.accounts.listAccounts({ pageSize: 200, ...filter }, caller);
  expect(page.nextPageToken).toBe("");
  return page.accounts.map((a) => a.id);
}

describe("creating and reading accounts", () => {
  it("creates an active account with a normalized login name and a role set, and reads it back", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const employeeId = randomUUID();
    const created = await create(acme, {
      loginName: "  Ada.Lovelace@Example.COM ",
      employeeId: employeeId.toUpperCase(),
      displayName: "  Ada Lovelace ",
      roles: [MANAGER, EMPLOYEE, MANAGER],
    });
    expect(created).toMatchObject({
      loginName: "ada.lovelace@example.com",
      employeeId,
      displayName: "Ada Lovelace",
      roles: [EMPLOYEE, MANAGER],
      status: ACTIVE,
      failedVerificationCount: 0,
    });
    expect(created.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.etag).not.toBe("");
    expect(created.updateTime).toEqual(created.createTime);
    expect(created.passwordChangeTime).toEqual(created.createTime);
    expect(await read(acme, created.id)).toEqual(created);
    expect(await read(acme, created.id.toUpperCase())).toEqual(created);
    expect(await rowsOf(tenant)).toBe(1);
  });

  it("creates an account that belongs to no employee", async () => {
    const acme = await as(newTenant());
    const created = await create(acme, { employeeId: "", roles: [TENANT_ADMIN] });
    expect(created).toMatchObject({ employeeId: "", roles: [TENANT_ADMIN] });
  });

  it("stores the password only as a self-describing scrypt hash", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const created = await create(acme);
    const row = await rowOf(created.id);
    expect(row.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$/);
    expect(row.passwordHash).not.toContain(PASSWORD);
    const again = await create(acme, { initialPassword: PASSWORD });
    expect((await rowOf(again.id)).passwordHash).not.toBe(row.passwordHash);

    const stored = JSON.stringify(await recordsOf(tenant));
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain("scrypt");
    expect(stored).not.toContain(row.passwordHash.split("$")[5]);
  });

  it("never answers a password or its hash, in any response", async () => {
    const acme = await as(newTenant());
    const created = await create(acme);
    const row = await rowOf(created.id);
    const [, , , , salt = "?", key = "?"] = row.passwordHash.split("$");
    const secrets = [PASSWORD, OTHER_PASSWORD, "scrypt", salt, key];
    const call = (method: string, request: unknown) => raw[method]?.(request, acme) ?? Promise.reject(method);
    const id = created.id;
    const answers: [string, Buffer][] = [];
    answers.push(["create", await call("createAccount", createRequest({ initialPassword: PASSWORD }))]);
    answers.push(["get", await call("getAccount", { id })]);
    answers.push(["list", await call("listAccounts", { pageSize: 10 })]);
    answers.push(["verify", await call("verifyCredentials", { loginName: created.loginName, password: PASSWORD })]);
    let etag = (await read(acme, id)).etag;
    const change = { requestId: randomUUID(), id, etag, currentPassword: PASSWORD, newPassword: OTHER_PASSWORD };
    answers.push(["change", await call("changePassword", change)]);
    etag = (await read(acme, id)).etag;
    answers.push(["assign", await call("assignRoles", { requestId: randomUUID(), id, etag, roles: [HR_ADMIN] })]);
    etag = (await read(acme, id)).etag;
    answers.push(["disable", await call("disableAccount", { requestId: randomUUID(), id, etag })]);
    etag = (await read(acme, id)).etag;
    answers.push(["enable", await call("enableAccount", { requestId: randomUUID(), id, etag })]);
    answers.push(["replay", await call("changePassword", change)]);

    expect(answers.map(([, bytes]) => bytes.length > 0)).not.toContain(false);
    for (const [name, bytes] of answers) {
      for (const secret of secrets) expect(bytes.includes(secret), `${name} carries ${secret}`).toBe(false);
    }
    const decoded = JSON.stringify([
      await read(acme, id),
      await identity.accounts.listAccounts({ pageSize: 10 }, acme),
      await verify(acme, created.loginName, OTHER_PASSWORD),
    ]);
    for (const secret of secrets) expect(decoded).not.toContain(secret);
    expect(decoded).not.toMatch(/hash|password"/i);

    const refusal = await expectError(
      identity.accounts.createAccount(createRequest({ initialPassword: "z".repeat(12), loginName: "nope" }), acme),
      Status.INVALID_ARGUMENT,
    );
    expect(refusal.message).not.toContain("z".repeat(12));
  });

  it("refuses a login name taken in the tenant, but not in another tenant", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    await create(acme, { loginName: "ada@example.com" });
    const error = await expectError(
      identity.accounts.createAccount(createRequest({ loginName: " ADA@example.com " }), acme),
      Status.ALREADY_EXISTS,
    );
    expect(error.reason).toBe("LOGIN_NAME_TAKEN");
    expect(error.fields).toEqual(["login_name"]);
    expect(await rowsOf(tenant)).toBe(1);
    const elsewhere = await create(await as(newTenant()), { loginName: "ada@example.com" });
    expect(elsewhere.loginName).toBe("ada@example.com");
  });
});

describe("validation", () => {
  it("names every bad field of a new account at once and writes nothing", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const error = await expectError(
      identity.accounts.createAccount(
        createRequest({
          loginName: "ada.example.com",
          employeeId: "ada",
          displayName: " ",
          roles: [],
          initialPassword: "short",
        }),
        acme,
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(error.fields.sort()).toEqual(["display_name", "employee_id", "initial_password", "login_name", "roles"]);
    expect(await rowsOf(tenant)).toBe(0);
  });

  it("enforces the password policy on creation", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const loginName = "grace.hopper@example.com";
    const refusedPasswords = [
      "",
      "x".repeat(11),
      "x".repeat(129),
      "😀".repeat(129),
      "a".repeat(12),
      "🔒".repeat(20),
      "Grace.Hopper@Example.com",
    ];
    for (const initialPassword of refusedPasswords) {
      const error = await expectError(
        identity.accounts.createAccount(createRequest({ loginName, initialPassword }), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, initialPassword.slice(0, 20)).toEqual(["initial_password"]);
    }
    expect(await rowsOf(tenant)).toBe(0);
    for (const initialPassword of [`${"x".repeat(11)}y`, `${"😀".repeat(127)}!`, "aaaaaaaaaaab"]) {
      await create(acme, { initialPassword });
    }
    expect(await rowsOf(tenant)).toBe(3);
  });

  it("refuses an empty role set, unknown roles, and UNSPECIFIED, and collapses duplicates", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const cases: [Role[], string[]][] = [
      [[], ["roles"]],
      [[EMPLOYEE, UNKNOWN], ["roles[1]"]],
      [[Role.ROLE_UNSPECIFIED], ["roles[0]"]],
      [
        [UNKNOWN, MANAGER, -1 as Role],
        ["roles[0]", "roles[2]"],
      ],
      [Array.from({ length: 33 }, () => EMPLOYEE), ["roles"]],
    ];
    for (const [roles, fields] of cases) {
      const error = await expectError(
        identity.accounts.createAccount(createRequest({ roles }), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(roles)).toEqual(fields);
    }
    expect(await rowsOf(tenant)).toBe(0);
    const created = await create(acme, { roles: [TENANT_ADMIN, EMPLOYEE, TENANT_ADMIN, EMPLOYEE, HR_ADMIN] });
    expect(created.roles).toEqual([EMPLOYEE, HR_ADMIN, TENANT_ADMIN]);
  });

  it("refuses huge strings and control characters, writes nothing, and keeps serving", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const huge = "x".repeat(10_000);
    const cases: [Partial<CreateAccountRequest>, string][] = [
      [{ loginName: huge }, "login_name"],
      [{ loginName: `${huge}@example.com` }, "login_name"],
      [{ employeeId: huge }, "employee_id"],
      [{ displayName: huge }, "display_name"],
      [{ initialPassword: `${huge}y` }, "initial_password"],
      [{ requestId: huge }, "request_id"],
      [{ displayName: "Ada\u0000" }, "display_name"],
      [{ loginName: "ada\u0007@example.com" }, "login_name"],
    ];
    for (const [overrides, field] of cases) {
      const error = await expectError(
        identity.accounts.createAccount(createRequest(overrides), acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields, JSON.stringify(overrides).slice(0, 80)).toEqual([field]);
    }
    const typed: [string, string, string[]][] = [
      ["", "", ["login_name", "password"]],
      [huge, PASSWORD, ["login_name"]],
      ["ada@example.com", huge, ["password"]],
    ];
    for (const [loginName, password, fields] of typed) {
      const error = await expectError(verify(acme, loginName, password), Status.INVALID_ARGUMENT);
      expect(error.fields).toEqual(fields);
    }
    expect(await rowsOf(tenant)).toBe(0);
    expect((await create(acme)).status).toBe(ACTIVE);
  });

  it("refuses malformed ids and unknown filter values, and keeps serving", async () => {
    const acme = await as(newTenant());
    const listError = await expectError(
      identity.accounts.listAccounts({ pageSize: 10, status: 99 as AccountStatus, role: UNKNOWN }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(listError.fields).toEqual(["status", "role"]);
    const getError = await expectError(identity.accounts.getAccount({ id: "ada" }, acme), Status.INVALID_ARGUMENT);
    expect(getError.fields).toEqual(["id"]);
    const created = await create(acme);
    expect(await listIds(acme, { status: ACTIVE })).toEqual([created.id]);
  });
});

describe("verifying credentials", () => {
  it("answers who the credentials belong to, for the login name in any case", async () => {
    const acme = await as(newTenant());
    const created = await create(acme, { loginName: "ada@example.com", roles: [MANAGER, EMPLOYEE] });
    const answer = await verify(acme, "  ADA@Example.com ", PASSWORD);
    expect(answer).toEqual({
      accountId: created.id,
      employeeId: created.employeeId,
      displayName: "Ada Lovelace",
      roles: [EMPLOYEE, MANAGER],
    });
    expect(await read(acme, created.id)).toEqual(created);
  });

  it("refuses an unknown login, a wrong password, a disabled and a locked account in the same way", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const grace = await disable(acme, await create(acme));
    const alan = await lock(acme, await create(acme));
    expect(alan.status).toBe(LOCKED);
    await refused(acme, "nobody@example.com", PASSWORD);
    await refused(acme, "not even an email", PASSWORD);
    await refused(acme, ada.loginName, `${PASSWORD}!`);
    await refused(acme, ada.loginName, PASSWORD.toUpperCase());
    await refused(acme, grace.loginName, PASSWORD);
    await refused(acme, alan.loginName, PASSWORD);
  });

  it("locks the account at the 5th failure in a row, even for the right password afterwards", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    for (let i = 1; i <= 4; i++) {
      await refused(acme, ada.loginName, "wrong password");
      expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: i });
    }
    await refused(acme, ada.loginName, "wrong password");
    const locked = await read(acme, ada.id);
    expect(locked).toMatchObject({ status: LOCKED, failedVerificationCount: 5 });
    await refused(acme, ada.loginName, PASSWORD);
    await refused(acme, ada.loginName, "wrong again");
    expect(await read(acme, ada.id)).toEqual(locked);
    expect((await rowOf(ada.id)).status).toBe("locked");
  });

  it("counts only failures in a row: a success resets the counter", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    for (let i = 0; i < 4; i++) await refused(acme, ada.loginName, "wrong password");
    await verify(acme, ada.loginName, PASSWORD);
    expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 0 });
    for (let i = 0; i < 4; i++) await refused(acme, ada.loginName, "wrong password");
    expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 4 });
    expect((await verify(acme, ada.loginName, PASSWORD)).accountId).toBe(ada.id);
  });

  it("leaves a success without failures and a refusal of a disabled account unwritten", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    await verify(acme, ada.loginName, PASSWORD);
    expect(await read(acme, ada.id)).toEqual(ada);
    const disabled = await disable(acme, ada);
    await refused(acme, ada.loginName, "wrong password");
    expect(await read(acme, ada.id)).toEqual(disabled);
  });

  it("counts every one of concurrent failures, and locks at the 5th", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const burst = (size: number) =>
      Promise.allSettled(Array.from({ length: size }, (_, i) => verify(acme, ada.loginName, `wrong password ${i}`)));
    expect((await burst(4)).map((a) => a.status)).toEqual(Array(4).fill("rejected"));
    expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 4 });
    await verify(acme, ada.loginName, PASSWORD);

    expect((await burst(8)).map((a) => a.status)).toEqual(Array(8).fill("rejected"));
    expect(await read(acme, ada.id)).toMatchObject({ status: LOCKED, failedVerificationCount: 5 });
    await refused(acme, ada.loginName, PASSWORD);
  });

  it("decides on the stored account, not on a stale read: no success past a lock, no lost failure", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const db = openSqlDatabase(identity.databaseUrl, 2);
    try {
      const repository = new AccountRepository(db);
      const ada = await create(acme);
      const staleAda = await repository.get(tenant, ada.id);
      for (let i = 0; i < 2; i++) await refused(acme, ada.loginName, "wrong password");
      expect(await settleVerification(db, staleAda!, false)).toBeUndefined();
      expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 3 });
      await lock(acme, ada);
      expect(await settleVerification(db, staleAda!, true)).toBeUndefined();
      expect(await read(acme, ada.id)).toMatchObject({ status: LOCKED, failedVerificationCount: 5 });

      const grace = await create(acme);
      const staleGrace = await repository.get(tenant, grace.id);
      await refused(acme, grace.loginName, "wrong password");
      expect((await settleVerification(db, staleGrace!, true))?.failedVerifications).toBe(0);
      expect(await read(acme, grace.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 0 });
    } finally {
      await db.end();
    }
  });

  it("unlocks with EnableAccount, with a fresh counter", async () => {
    const acme = await as(newTenant());
    const locked = await lock(acme, await create(acme));
    const enabled = await enable(acme, locked);
    expect(enabled).toMatchObject({ status: ACTIVE, failedVerificationCount: 0 });
    expect(enabled.etag).not.toBe(locked.etag);
    expect((await verify(acme, locked.loginName, PASSWORD)).accountId).toBe(locked.id);
  });

  it("changes the etag with a counted failure", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    await refused(acme, ada.loginName, "wrong password");
    const error = await expectError(
      identity.accounts.disableAccount({ requestId: randomUUID(), id: ada.id, etag: ada.etag }, acme),
      Status.ABORTED,
    );
    expect(error.reason).toBe("ETAG_MISMATCH");
    expect((await read(acme, ada.id)).status).toBe(ACTIVE);
  });
});

describe("changing passwords", () => {
  it("requires the current password from a plain employee, and counts a wrong one", async () => {
    const tenant = newTenant();
    const ada = await create(await as(tenant));
    const self = await as(tenant, ["employee"]);
    const hashBefore = (await rowOf(ada.id)).passwordHash;
    const missing = await expectError(
      identity.accounts.changePassword(
        { requestId: randomUUID(), id: ada.id, etag: ada.etag, currentPassword: "", newPassword: OTHER_PASSWORD },
        self,
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(missing.fields).toEqual(["current_password"]);
    expect(await read(self, ada.id)).toEqual(ada);

    const wrong = await expectError(
      identity.accounts.changePassword(
        {
          requestId: randomUUID(),
          id: ada.id,
          etag: ada.etag,
          currentPassword: "not it at all",
          newPassword: OTHER_PASSWORD,
        },
        self,
      ),
      Status.INVALID_ARGUMENT,
    );
    expect(wrong.reason).toBe("CURRENT_PASSWORD_INCORRECT");
    expect(wrong.fields).toEqual(["current_password"]);
    const counted = await read(self, ada.id);
    expect(counted).toMatchObject({ failedVerificationCount: 1, status: ACTIVE });
    expect((await rowOf(ada.id)).passwordHash).toBe(hashBefore);

    const changed = await changePassword(self, counted, OTHER_PASSWORD, PASSWORD);
    expect(changed).toMatchObject({ failedVerificationCount: 0, status: ACTIVE });
    expect(changed.passwordChangeTime).not.toEqual(ada.passwordChangeTime);
    expect((await rowOf(ada.id)).passwordHash).not.toBe(hashBefore);
    await refused(self, ada.loginName, PASSWORD);
    expect((await verify(self, ada.loginName, OTHER_PASSWORD)).accountId).toBe(ada.id);
  });

  it("locks the account after five wrong current passwords", async () => {
    const tenant = newTenant();
    let ada = await create(await as(tenant));
    const self = await as(tenant, ["employee", "manager"]);
    for (let i = 0; i < 5; i++) {
      await expectError(
        identity.accounts.changePassword(
          {
            requestId: randomUUID(),
            id: ada.id,
            etag: ada.etag,
            currentPassword: `guess ${i}`,
            newPassword: OTHER_PASSWORD,
          },
          self,
        ),
        Status.INVALID_ARGUMENT,
      );
      ada = await read(self, ada.id);
    }
    expect(ada).toMatchObject({ status: LOCKED, failedVerificationCount: 5 });
    const error = await expectError(
      identity.accounts.changePassword(
        { requestId: randomUUID(), id: ada.id, etag: ada.etag, currentPassword: PASSWORD, newPassword: OTHER_PASSWORD },
        self,
      ),
      Status.FAILED_PRECONDITION,
    );
    expect(error.reason).toBe("ACCOUNT_LOCKED");
    expect(error.preconditions).toEqual(["ACCOUNT_LOCKED"]);
    expect(await read(self, ada.id)).toEqual(ada);
  });

  it("refuses a plain employee for a disabled account", async () => {
    const tenant = newTenant();
    const admin = await as(tenant);
    const disabled = await disable(admin, await create(admin));
    const error = await expectError(
      identity.accounts.changePassword(
        {
          requestId: randomUUID(),
          id: disabled.id,
          etag: disabled.etag,
          currentPassword: PASSWORD,
          newPassword: OTHER_PASSWORD,
        },
        await as(tenant, ["employee"]),
      ),
      Status.FAILED_PRECONDITION,
    );
    expect(error.reason).toBe("ACCOUNT_DISABLED");
    expect(await read(admin, disabled.id)).toEqual(disabled);
  });

  it("lets hr_admin and tenant_admin set a password without the current one, even on a locked account", async () => {
    const tenant = newTenant();
    const hr = await as(tenant, ["hr_admin"]);
    const locked = await lock(hr, await create(hr));
    const reset = await changePassword(hr, locked, OTHER_PASSWORD);
    expect(reset).toMatchObject({ status: LOCKED, failedVerificationCount: 0 });
    await refused(hr, locked.loginName, OTHER_PASSWORD);
    await enable(hr, reset);
    expect((await verify(hr, locked.loginName, OTHER_PASSWORD)).accountId).toBe(locked.id);

    const owner = await as(tenant, ["tenant_admin"]);
    const grace = await create(owner);
    const ignored = await changePassword(owner, grace, OTHER_PASSWORD, "whatever the admin typed");
    expect(ignored.failedVerificationCount).toBe(0);
    expect((await verify(owner, grace.loginName, OTHER_PASSWORD)).accountId).toBe(grace.id);
  });

  it("enforces the password policy on the new password and changes nothing", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme, { loginName: "ada.long.name@example.com" });
    const hashBefore = (await rowOf(ada.id)).passwordHash;
    for (const newPassword of ["", "short", "ADA.LONG.NAME@example.com", "=".repeat(40), "x".repeat(10_000)]) {
      const error = await expectError(
        identity.accounts.changePassword(
          { requestId: randomUUID(), id: ada.id, etag: ada.etag, currentPassword: "", newPassword },
          acme,
        ),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields).toEqual(["new_password"]);
    }
    expect(await read(acme, ada.id)).toEqual(ada);
    expect((await rowOf(ada.id)).passwordHash).toBe(hashBefore);
  });
});

describe("roles and status", () => {
  it("replaces the role set, collapsing duplicates", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme, { roles: [EMPLOYEE] });
    const request = { requestId: randomUUID(), id: ada.id, etag: ada.etag, roles: [HR_ADMIN, MANAGER, HR_ADMIN] };
    const { account } = await identity.accounts.assignRoles(request, acme);
    expect(account?.roles).toEqual([MANAGER, HR_ADMIN]);
    expect(account?.etag).not.toBe(ada.etag);
    expect(await read(acme, ada.id)).toEqual(account);
    expect((await rowOf(ada.id)).roles).toEqual(["manager", "hr_admin"]);
  });

  it("refuses an invalid role set and changes nothing", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const cases: [Role[], string[]][] = [
      [[], ["roles"]],
      [[UNKNOWN], ["roles[0]"]],
      [[MANAGER, Role.ROLE_UNSPECIFIED], ["roles[1]"]],
    ];
    for (const [roles, fields] of cases) {
      const error = await expectError(
        identity.accounts.assignRoles({ requestId: randomUUID(), id: ada.id, etag: ada.etag, roles }, acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.fields).toEqual(fields);
    }
    expect(await read(acme, ada.id)).toEqual(ada);
  });

  it("disables and enables an account, and refuses a repeat of either", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const active = await expectError(
      identity.accounts.enableAccount({ requestId: randomUUID(), id: ada.id, etag: ada.etag }, acme),
      Status.FAILED_PRECONDITION,
    );
    expect(active.reason).toBe("ACCOUNT_ALREADY_ACTIVE");
    expect(active.preconditions).toEqual(["ACCOUNT_ALREADY_ACTIVE"]);
    expect(await read(acme, ada.id)).toEqual(ada);

    const disabled = await disable(acme, ada);
    expect(disabled.status).toBe(DISABLED);
    const again = await expectError(
      identity.accounts.disableAccount({ requestId: randomUUID(), id: ada.id, etag: disabled.etag }, acme),
      Status.FAILED_PRECONDITION,
    );
    expect(again.reason).toBe("ACCOUNT_ALREADY_DISABLED");
    expect(await read(acme, ada.id)).toEqual(disabled);
    expect((await enable(acme, disabled)).status).toBe(ACTIVE);
  });

  it("disables a locked account", async () => {
    const acme = await as(newTenant());
    const locked = await lock(acme, await create(acme));
    const disabled = await disable(acme, locked);
    expect(disabled).toMatchObject({ status: DISABLED });
    await refused(acme, locked.loginName, PASSWORD);
  });
});

describe("tenancy", () => {
  it("hides another tenant's accounts from reads, lists and verification", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const other = await as(newTenant());
    await expectError(identity.accounts.getAccount({ id: ada.id }, other), Status.NOT_FOUND);
    expect(await listIds(other)).toEqual([]);
    await refused(other, ada.loginName, PASSWORD);
    expect(await read(acme, ada.id)).toEqual(ada);
  });

  it("answers NOT_FOUND to commands on another tenant's account and changes nothing", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const otherTenant = newTenant();
    const other = await as(otherTenant);
    const { id, etag } = ada;
    const attempts = [
      () =>
        identity.accounts.changePassword(
          { requestId: randomUUID(), id, etag, currentPassword: "", newPassword: OTHER_PASSWORD },
          other,
        ),
      () => identity.accounts.assignRoles({ requestId: randomUUID(), id, etag, roles: [TENANT_ADMIN] }, other),
      () => identity.accounts.disableAccount({ requestId: randomUUID(), id, etag }, other),
      () => identity.accounts.enableAccount({ requestId: randomUUID(), id, etag }, other),
    ];
    for (const attempt of attempts) {
      const error = await expectError(attempt(), Status.NOT_FOUND);
      expect(error.reason).toBe("ACCOUNT_NOT_FOUND");
    }
    expect(await read(acme, id)).toEqual(ada);
    expect(await rowsOf(otherTenant)).toBe(0);
    expect(await recordsOf(otherTenant)).toEqual([]);
  });

  it("refuses calls without a token", async () => {
    await expectError(
      identity.accounts.verifyCredentials({ loginName: "a@b.co", password: PASSWORD }),
      Status.UNAUTHENTICATED,
    );
    await expectError(identity.accounts.getAccount({ id: randomUUID() }), Status.UNAUTHENTICATED);
  });
});

describe("request-id idempotency", () => {
  it("returns the first answer to a repeated creation and writes one row", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const request = createRequest();
    const first = await identity.accounts.createAccount(request, acme);
    const again = await identity.accounts.createAccount(request, acme);
    expect(again).toEqual(first);
    expect(await rowsOf(tenant)).toBe(1);
    expect(await recordsOf(tenant)).toHaveLength(1);
  });

  it("returns one answer to concurrent repeats of the same creation", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const request = createRequest();
    const results = await Promise.all(Array.from({ length: 5 }, () => identity.accounts.createAccount(request, acme)));
    expect(new Set(results.map((r) => r.account?.id)).size).toBe(1);
    expect(await rowsOf(tenant)).toBe(1);
  });

  it("refuses the same request id with another payload, another password included", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const request = createRequest();
    const { account } = await identity.accounts.createAccount(request, acme);
    for (const changed of [{ displayName: "Someone else" }, { initialPassword: OTHER_PASSWORD }]) {
      const error = await expectError(
        identity.accounts.createAccount({ ...request, ...changed }, acme),
        Status.INVALID_ARGUMENT,
      );
      expect(error.reason).toBe("REQUEST_ID_REUSED");
      expect(error.fields).toEqual(["request_id"]);
    }
    expect(await rowsOf(tenant)).toBe(1);
    expect(await read(acme, present(account).id)).toEqual(account);
    expect((await verify(acme, request.loginName, PASSWORD)).accountId).toBe(account?.id);
  });

  it("replays a password change without hashing again, also after a later change", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const request = {
      requestId: randomUUID(),
      id: ada.id,
      etag: ada.etag,
      currentPassword: "",
      newPassword: OTHER_PASSWORD,
    };
    const first = await identity.accounts.changePassword(request, acme);
    const hash = (await rowOf(ada.id)).passwordHash;
    expect(await identity.accounts.changePassword(request, acme)).toEqual(first);
    expect((await rowOf(ada.id)).passwordHash).toBe(hash);

    const disabled = await disable(acme, present(first.account));
    expect(await identity.accounts.changePassword(request, acme)).toEqual(first);
    expect(await read(acme, ada.id)).toEqual(disabled);
    const reused = await expectError(
      identity.accounts.changePassword({ ...request, newPassword: `${OTHER_PASSWORD}!` }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(reused.reason).toBe("REQUEST_ID_REUSED");
    expect((await rowOf(ada.id)).passwordHash).toBe(hash);
  });
});

describe("optimistic concurrency", () => {
  it("refuses a stale etag and changes nothing", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const current = await disable(acme, ada);
    const hash = (await rowOf(ada.id)).passwordHash;
    const { id, etag } = ada;
    const attempts = [
      () =>
        identity.accounts.changePassword(
          { requestId: randomUUID(), id, etag, currentPassword: "", newPassword: OTHER_PASSWORD },
          acme,
        ),
      () => identity.accounts.assignRoles({ requestId: randomUUID(), id, etag, roles: [MANAGER] }, acme),
      () => identity.accounts.disableAccount({ requestId: randomUUID(), id, etag }, acme),
      () => identity.accounts.enableAccount({ requestId: randomUUID(), id, etag }, acme),
      () => identity.accounts.enableAccount({ requestId: randomUUID(), id, etag: "" }, acme),
    ];
    for (const attempt of attempts) {
      const error = await expectError(attempt(), Status.ABORTED);
      expect(error.reason).toBe("ETAG_MISMATCH");
    }
    expect(await read(acme, id)).toEqual(current);
    expect((await rowOf(id)).passwordHash).toBe(hash);
  });

  it("lets exactly one of two concurrent role assignments with the same etag win", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const assign = (roles: Role[]) =>
      identity.accounts.assignRoles({ requestId: randomUUID(), id: ada.id, etag: ada.etag, roles }, acme);
    const outcomes = await Promise.allSettled([assign([MANAGER]), assign([HR_ADMIN])]);
    const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value.account] : []));
    const lost = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const error = await expectError(Promise.reject(lost[0]), Status.ABORTED);
    expect(error.reason).toBe("ETAG_MISMATCH");
    expect(await read(acme, ada.id)).toEqual(won[0]);
  });
});

describe("listing", () => {
  it("filters by status and role, combined with AND", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme, { roles: [EMPLOYEE, MANAGER] });
    const grace = await disable(acme, await create(acme, { roles: [MANAGER] }));
    const alan = await create(acme, { roles: [HR_ADMIN] });
    const edsger = await lock(acme, await create(acme, { roles: [EMPLOYEE] }));

    expect(await listIds(acme)).toEqual([ada.id, grace.id, alan.id, edsger.id]);
    expect(await listIds(acme, { status: ACTIVE })).toEqual([ada.id, alan.id]);
    expect(await listIds(acme, { status: DISABLED })).toEqual([grace.id]);
    expect(await listIds(acme, { status: LOCKED })).toEqual([edsger.id]);
    expect(await listIds(acme, { role: MANAGER })).toEqual([ada.id, grace.id]);
    expect(await listIds(acme, { role: EMPLOYEE })).toEqual([ada.id, edsger.id]);
    expect(await listIds(acme, { role: MANAGER, status: ACTIVE })).toEqual([ada.id]);
    expect(await listIds(acme, { role: TENANT_ADMIN })).toEqual([]);
    expect(await listIds(acme, { role: HR_ADMIN, status: DISABLED })).toEqual([]);
  });

  it("pages through 13 accounts four at a time, each once, in creation order", async () => {
    const acme = await as(newTenant());
    const created: string[] = [];
    for (let i = 0; i < 13; i++) created.push((await create(acme, { displayName: `A${i}` })).id);
    const seen: string[] = [];
    const sizes: number[] = [];
    let pageToken = "";
    do {
      const page = await identity.accounts.listAccounts({ pageSize: 4, pageToken }, acme);
      seen.push(...page.accounts.map((a) => a.id));
      sizes.push(page.accounts.length);
      pageToken = page.nextPageToken;
    } while (pageToken !== "" && sizes.length < 10);
    expect(seen).toEqual(created);
    expect(sizes).toEqual([4, 4, 4, 1]);
  });

  it("refuses a page token used with other filters, by another tenant, or tampered with", async () => {
    const acme = await as(newTenant());
    const first = await create(acme);
    const second = await create(acme);
    const page = await identity.accounts.listAccounts({ pageSize: 1, role: EMPLOYEE }, acme);
    const pageToken = page.nextPageToken;
    expect(page.accounts.map((a) => a.id)).toEqual([first.id]);
    const stranger = await as(newTenant());
    const attempts = [
      () => identity.accounts.listAccounts({ pageSize: 1, pageToken }, acme),
      () => identity.accounts.listAccounts({ pageSize: 1, pageToken, role: EMPLOYEE, status: ACTIVE }, acme),
      () => identity.accounts.listAccounts({ pageSize: 1, pageToken, role: EMPLOYEE }, stranger),
      () => identity.accounts.listAccounts({ pageSize: 1, pageToken: `${pageToken}x`, role: EMPLOYEE }, acme),
    ];
    for (const attempt of attempts) {
      const error = await expectError(attempt(), Status.INVALID_ARGUMENT);
      expect(error.fields).toEqual(["page_token"]);
    }
    const next = await identity.accounts.listAccounts({ pageSize: 1, pageToken, role: EMPLOYEE }, acme);
    expect(next.accounts.map((a) => a.id)).toEqual([second.id]);
  });
});
