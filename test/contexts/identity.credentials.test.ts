import { randomUUID } from "node:crypto";
import { type CallOptions, createChannel, createClient, Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountServiceDefinition } from "../../generated/proto/hr/identity/v1/account_service.js";
import { AccountRepository } from "../../services/identity/account/account-repository.js";
import { DEFAULT_SIGN_IN_THROTTLE } from "../../services/identity/account/sign-in-throttle.js";
import { settleVerification } from "../../services/identity/account/verify-credentials-rpc.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import {
  ACTIVE,
  changePassword,
  create,
  createRequest,
  disable,
  EMPLOYEE,
  enable,
  failFiveTimes,
  HR_ADMIN,
  identity,
  LOCKED,
  lockedByTheOldRule,
  MANAGER,
  OTHER_PASSWORD,
  PASSWORD,
  passTheWait,
  present,
  read,
  recordsOf,
  refused,
  rowOf,
  startIdentityPerFile,
  verify,
} from "./identity.fixtures.js";

// The identity context's credentials: verification, password changes, and
// secrets that never leave the server. Run alone: npx vitest run test/contexts/identity

startIdentityPerFile();
let raw: RawClient;
let closeRaw: () => void;
beforeAll(() => {
  const channel = createChannel(identity.current.address);
  raw = rawClient(channel);
  closeRaw = () => channel.close();
});
afterAll(() => closeRaw?.());

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

describe("secrets", () => {
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
    const id = created.id;
    // Each method as the caller its rule allows: the account itself changes its password.
    const session = await as(acme.tenantId, ["session_service"]);
    const self = await as(acme.tenantId, ["employee"], { userId: id });
    const callers: Record<string, Caller> = { verifyCredentials: session, changePassword: self };
    const call = (method: string, request: unknown) =>
      raw[method]?.(request, callers[method] ?? acme) ?? Promise.reject(method);
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

  it("refuses an unknown login, a wrong password, a disabled, a locked and a waiting account in the same way", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const grace = await disable(acme, await create(acme));
    const alan = await lockedByTheOldRule(acme, await create(acme));
    expect(alan.status).toBe(LOCKED);
    const joan = await failFiveTimes(acme, await create(acme));
    await refused(acme, "nobody@example.com", PASSWORD);
    await refused(acme, "not even an email", PASSWORD);
    await refused(acme, ada.loginName, `${PASSWORD}!`);
    await refused(acme, ada.loginName, PASSWORD.toUpperCase());
    await refused(acme, grace.loginName, PASSWORD);
    await refused(acme, alan.loginName, PASSWORD);
    await refused(acme, joan.loginName, PASSWORD);
  });

  it("makes the next attempt wait from the 5th failure in a row, uncounted, and never locks", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    for (let i = 1; i <= 4; i++) {
      await refused(acme, ada.loginName, "wrong password");
      expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: i });
    }
    await refused(acme, ada.loginName, "wrong password");
    const waiting = await read(acme, ada.id);
    expect(waiting).toMatchObject({ status: ACTIVE, failedVerificationCount: 5 });
    // During the wait (30 s here) even the right password is refused, and nothing is counted.
    await refused(acme, ada.loginName, PASSWORD);
    await refused(acme, ada.loginName, "wrong again");
    expect(await read(acme, ada.id)).toEqual(waiting);
    expect((await rowOf(ada.id)).status).toBe("active");
    // Once it has passed, the owner gets in with the right password, and the run of failures ends.
    await passTheWait(ada);
    expect((await verify(acme, ada.loginName, PASSWORD)).accountId).toBe(ada.id);
    expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 0 });
  });

  it("counts a failure after the wait, which starts the next wait", async () => {
    const acme = await as(newTenant());
    const ada = await failFiveTimes(acme, await create(acme));
    await passTheWait(ada);
    await refused(acme, ada.loginName, "wrong password");
    const sixth = await rowOf(ada.id);
    expect(sixth).toMatchObject({ status: "active", failedVerifications: 6, lastFailureTime: sixth.updateTime });
    await refused(acme, ada.loginName, PASSWORD);
    expect(await rowOf(ada.id)).toEqual(sixth);
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

  it("counts concurrent failures up to the 5th, and none that lands in the wait it starts", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    const burst = (size: number) =>
      Promise.allSettled(Array.from({ length: size }, (_, i) => verify(acme, ada.loginName, `wrong password ${i}`)));
    expect((await burst(4)).map((a) => a.status)).toEqual(Array(4).fill("rejected"));
    expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 4 });
    await verify(acme, ada.loginName, PASSWORD);

    expect((await burst(8)).map((a) => a.status)).toEqual(Array(8).fill("rejected"));
    expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 5 });
    await refused(acme, ada.loginName, PASSWORD);
  });

  it("decides on the stored account, not on a stale read: no success into a wait, no lost failure", async () => {
    const tenant = newTenant();
    const acme = await as(tenant);
    const repository = new AccountRepository(identity.sql);
    const throttle = DEFAULT_SIGN_IN_THROTTLE;
    const ada = await create(acme);
    const staleAda = await repository.get(tenant, ada.id);
    for (let i = 0; i < 2; i++) await refused(acme, ada.loginName, "wrong password");
    expect(await settleVerification(identity.sql, staleAda!, false, throttle)).toBeUndefined();
    expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 3 });
    await failFiveTimes(acme, ada);
    expect(await settleVerification(identity.sql, staleAda!, true, throttle)).toBeUndefined();
    expect(await read(acme, ada.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 5 });

    const grace = await create(acme);
    const staleGrace = await repository.get(tenant, grace.id);
    await refused(acme, grace.loginName, "wrong password");
    expect((await settleVerification(identity.sql, staleGrace!, true, throttle))?.failedVerifications).toBe(0);
    expect(await read(acme, grace.id)).toMatchObject({ status: ACTIVE, failedVerificationCount: 0 });
  });

  it("unlocks an account the old rule locked with EnableAccount, with a fresh counter", async () => {
    const acme = await as(newTenant());
    const locked = await lockedByTheOldRule(acme, await create(acme));
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
  it("requires the current password from the account itself, and counts a wrong one", async () => {
    const tenant = newTenant();
    const ada = await create(await as(tenant));
    const self = await as(tenant, ["employee"], { userId: ada.id });
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

  it("makes the account wait after five wrong current passwords, like sign-ins, without locking it", async () => {
    const tenant = newTenant();
    let ada = await create(await as(tenant));
    const self = await as(tenant, ["employee", "manager"], { userId: ada.id });
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
    expect(ada).toMatchObject({ status: ACTIVE, failedVerificationCount: 5 });
    // During the wait the right current password gets the same refusal, and is not counted.
    const right = () => ({
      ...{ requestId: randomUUID(), id: ada.id, etag: ada.etag },
      ...{ currentPassword: PASSWORD, newPassword: OTHER_PASSWORD },
    });
    const error = await expectError(identity.accounts.changePassword(right(), self), Status.INVALID_ARGUMENT);
    expect(error).toMatchObject({ reason: "CURRENT_PASSWORD_INCORRECT", fields: ["current_password"] });
    expect(await read(self, ada.id)).toEqual(ada);
    await refused(self, ada.loginName, PASSWORD);
    await passTheWait(ada);
    expect(await identity.accounts.changePassword(right(), self)).toMatchObject({
      account: { status: ACTIVE, failedVerificationCount: 0 },
    });
  });

  it("refuses the account itself when the old rule locked it", async () => {
    const tenant = newTenant();
    const locked = await lockedByTheOldRule(await as(tenant), await create(await as(tenant)));
    const self = await as(tenant, ["employee"], { userId: locked.id });
    const change = { requestId: randomUUID(), id: locked.id, etag: locked.etag };
    const error = await expectError(
      identity.accounts.changePassword({ ...change, currentPassword: PASSWORD, newPassword: OTHER_PASSWORD }, self),
      Status.FAILED_PRECONDITION,
    );
    expect(error.reason).toBe("ACCOUNT_LOCKED");
    expect(error.preconditions).toEqual(["ACCOUNT_LOCKED"]);
    expect(await read(self, locked.id)).toEqual(locked);
  });

  it("refuses the account itself when disabled", async () => {
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
        await as(tenant, ["employee"], { userId: disabled.id }),
      ),
      Status.FAILED_PRECONDITION,
    );
    expect(error.reason).toBe("ACCOUNT_DISABLED");
    expect(await read(admin, disabled.id)).toEqual(disabled);
  });

  it("lets hr_admin and tenant_admin set a password without the current one, ending a wait at once", async () => {
    const tenant = newTenant();
    // Each holds the role the account grants (employee): an administrator resets only such accounts.
    const hr = await as(tenant, ["hr_admin", "employee"]);
    const waiting = await failFiveTimes(hr, await create(hr));
    const unblocked = await changePassword(hr, waiting, OTHER_PASSWORD);
    expect(unblocked).toMatchObject({ status: ACTIVE, failedVerificationCount: 0 });
    expect((await verify(hr, waiting.loginName, OTHER_PASSWORD)).accountId).toBe(waiting.id);

    // Also on an account the old rule locked, which stays locked until enabled.
    const locked = await lockedByTheOldRule(hr, await create(hr));
    const reset = await changePassword(hr, locked, OTHER_PASSWORD);
    expect(reset).toMatchObject({ status: LOCKED, failedVerificationCount: 0 });
    await refused(hr, locked.loginName, OTHER_PASSWORD);
    await enable(hr, reset);
    expect((await verify(hr, locked.loginName, OTHER_PASSWORD)).accountId).toBe(locked.id);

    const owner = await as(tenant, ["tenant_admin", "employee"]);
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

describe("tenancy, request ids and secrets", () => {
  it("never verifies credentials against another tenant's account, nor without a token", async () => {
    const acme = await as(newTenant());
    const ada = await create(acme);
    await refused(await as(newTenant()), ada.loginName, PASSWORD);
    expect(await read(acme, ada.id)).toEqual(ada);
    await expectError(verify(undefined, ada.loginName, PASSWORD), Status.UNAUTHENTICATED);
  });

  it("keeps the first password when a creation's request id comes again with another one", async () => {
    const acme = await as(newTenant());
    const request = createRequest();
    const { account } = await identity.accounts.createAccount(request, acme);
    const error = await expectError(
      identity.accounts.createAccount({ ...request, initialPassword: OTHER_PASSWORD }, acme),
      Status.INVALID_ARGUMENT,
    );
    expect(error.reason).toBe("REQUEST_ID_REUSED");
    expect((await verify(acme, request.loginName, PASSWORD)).accountId).toBe(account?.id);
    await refused(acme, request.loginName, OTHER_PASSWORD);
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
