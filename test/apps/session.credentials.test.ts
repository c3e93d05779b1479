import { createHash, randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Account, AccountStatus, Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import { RevokeReason } from "../../generated/proto/hr/sessionstore/v1/session_service.js";
import { ROLES } from "../../services/identity/account/roles.js";
import { as, bearer, newTenant, testConfig } from "../support/callers.js";
import { type GatewayUnderTest, startGatewayUnderTest } from "../support/gateway-under-test.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { startSession } from "../support/session-under-test.js";

// The holes of the sign-in, closed, as a web client meets them: Login and
// Refresh over HTTP through the gateway, in front of a real session app and
// identity server. Run alone: npx vitest run test/apps/session.credentials

const LOGIN = "/hr.session.v1.SessionService/Login";
const REFRESH = "/hr.session.v1.SessionService/Refresh";
const PASSWORD = "correct horse battery staple";
const NEW_PASSWORD = "Tr0ub4dor&3-but-longer";
// Waits of seconds, not minutes: long enough that a test's next calls fall
// into one even on a loaded machine (they take well under a second), short
// enough to see it pass. The wait is idle time, not work.
const THROTTLE = { afterFailures: 5, baseMs: 10_000, ceilingMs: 10_000 };

let identity: IdentityUnderTest;
let session: Awaited<ReturnType<typeof startSession>>;
let gateway: GatewayUnderTest;
beforeAll(async () => {
  identity = await startIdentity(testConfig, undefined, THROTTLE);
  session = await startSession(identity.address);
  // Every anonymous call here comes from one address, and the failed sign-ins
  // counted are identity's, not the edge's (gateway-credential-attempts.test.ts).
  const limits = {
    GATEWAY_CALLER_LIMIT: "1000",
    GATEWAY_TENANT_LIMIT: "1000",
    GATEWAY_LIMIT_WINDOW_SECONDS: "60",
    GATEWAY_CREDENTIAL_FAILURES: "1000",
  };
  gateway = await startGatewayUnderTest({ "hr.session.v1": `127.0.0.1:${session.server.port}` }, limits);
});
afterAll(async () => {
  await gateway?.stop();
  await session?.stop();
  await identity?.stop();
});

interface Person {
  tenantId: string;
  loginName: string;
  accountId: string;
}

/** A tenant and one of its people with a login linked to an employee, granting `roles`. */
async function person(roles = [Role.ROLE_EMPLOYEE]): Promise<Person & { admin: Awaited<ReturnType<typeof as>> }> {
  const tenantId = newTenant();
  const admin = await as(tenantId);
  const loginName = `ada.${randomUUID().slice(0, 8)}@example.com`;
  const request = { requestId: randomUUID(), loginName, employeeId: randomUUID(), displayName: "Ada", roles };
  const { account } = await identity.accounts.createAccount({ ...request, initialPassword: PASSWORD }, admin);
  return { tenantId, admin, loginName, accountId: account?.id ?? "" };
}

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

const login = (p: Person, password = PASSWORD) =>
  gateway.call(LOGIN, { tenantId: p.tenantId, loginName: p.loginName, password });
const refresh = (refreshToken: string) => gateway.call(REFRESH, { refreshToken });

/** The tokens of a call that must succeed. */
async function tokensOf(response: Promise<Response>): Promise<Tokens> {
  const answer = await response;
  expect(answer.status, await answer.clone().text()).toBe(200);
  return ((await answer.json()) as { tokens: Tokens }).tokens;
}

/** The JSON body of a refusal that must be 401. */
async function refusal(response: Promise<Response>): Promise<unknown> {
  const answer = await response;
  expect(answer.status).toBe(401);
  return answer.json();
}

async function account(p: Person & { admin: Awaited<ReturnType<typeof as>> }): Promise<Account> {
  const { account: found } = await identity.accounts.getAccount({ id: p.accountId }, p.admin);
  if (found === undefined) throw new Error("no account");
  return found;
}

/**
 * Why the session store ended the sign-in of `refreshToken`: RevokeSession
 * (as the session app calls it) answers a revoked session as it is.
 */
async function revokeReasonOf(tenantId: string, refreshToken: string): Promise<RevokeReason | undefined> {
  const refreshTokenHash = createHash("sha256").update(refreshToken).digest("hex");
  const app = await as(tenantId, ["session_service"]);
  return (await identity.sessions.revokeSession({ requestId: randomUUID(), refreshTokenHash }, app)).session
    ?.revokeReason;
}

describe("failed sign-ins by a stranger", () => {
  it("slow the owner down for a while, never lock them out, and leave their sign-in working", async () => {
    const ada = await person();
    const owners = await tokensOf(login(ada));
    // Six wrong passwords for Ada's login name, without any token.
    const wrong = [];
    for (let i = 0; i < 6; i++) wrong.push(await refusal(login(ada, `a guess ${i}`)));
    const unknown = await refusal(login({ ...ada, loginName: "nobody@example.com" }));
    // Ada, with the right password, during the wait: the same answer as a wrong password or an unknown login.
    const during = await refusal(login(ada));
    for (const answer of [...wrong, unknown]) expect(answer).toEqual(during);
    expect(during).toMatchObject({
      code: "unauthenticated",
      message: "invalid tenant, login name or password, or too many failed attempts: wait and try again",
    });
    // Not locked, and the guess made during the wait was not counted.
    expect(await account(ada)).toMatchObject({
      status: AccountStatus.ACCOUNT_STATUS_ACTIVE,
      failedVerificationCount: 5,
    });
    // Her sign-in from before the attack still refreshes.
    await tokensOf(refresh(owners.refreshToken));
    // Once the wait has passed, the right password gets her in. Trying during it costs nothing: it is not counted.
    const signedIn = await eventually(async () => (await login(ada)).status === 200);
    expect(signedIn).toBe(true);
    expect(await account(ada)).toMatchObject({
      status: AccountStatus.ACCOUNT_STATUS_ACTIVE,
      failedVerificationCount: 0,
    });
  }, 60_000);
});

/** Tries `check` every second for up to 30 s; answers whether it came true. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let waited = 0; waited < 30_000; waited += 1_000) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  return false;
}

describe("a change of the credential", () => {
  type Change = (p: Awaited<ReturnType<typeof person>>, signedIn: Tokens) => Promise<unknown>;
  const changes: [string, RevokeReason, Change, string][] = [
    [
      "the person's own password change",
      RevokeReason.REVOKE_REASON_PASSWORD_CHANGED,
      async (p, signedIn) => {
        const self = bearer(signedIn.accessToken, p.tenantId);
        const { etag } = await account(p);
        const change = { requestId: randomUUID(), id: p.accountId, etag, currentPassword: PASSWORD };
        return identity.accounts.changePassword({ ...change, newPassword: NEW_PASSWORD }, self);
      },
      NEW_PASSWORD,
    ],
    [
      "an administrator's password reset",
      RevokeReason.REVOKE_REASON_PASSWORD_RESET,
      async (p) => {
        const reset = { requestId: randomUUID(), id: p.accountId, etag: (await account(p)).etag, currentPassword: "" };
        return identity.accounts.changePassword({ ...reset, newPassword: NEW_PASSWORD }, p.admin);
      },
      NEW_PASSWORD,
    ],
    [
      "a change of roles",
      RevokeReason.REVOKE_REASON_ROLES_CHANGED,
      async (p) => {
        const roles = [Role.ROLE_EMPLOYEE, Role.ROLE_MANAGER];
        return identity.accounts.assignRoles(
          { requestId: randomUUID(), id: p.accountId, etag: (await account(p)).etag, roles },
          p.admin,
        );
      },
      PASSWORD,
    ],
    [
      "disabling the account (and enabling it again)",
      RevokeReason.REVOKE_REASON_ACCOUNT_DISABLED,
      async (p) => {
        await identity.accounts.disableAccount(
          { requestId: randomUUID(), id: p.accountId, etag: (await account(p)).etag },
          p.admin,
        );
        return identity.accounts.enableAccount(
          { requestId: randomUUID(), id: p.accountId, etag: (await account(p)).etag },
          p.admin,
        );
      },
      PASSWORD,
    ],
  ];

  it.each(changes)("%s ends every sign-in of the account, and the store says why", async (_, why, change, password) => {
    const ada = await person();
    const phone = await tokensOf(login(ada));
    const laptop = await tokensOf(refresh((await tokensOf(login(ada))).refreshToken));
    const bob = await person();
    const bobs = await tokensOf(login(bob));
    await change(ada, phone);
    for (const ended of [phone, laptop]) {
      expect(await refusal(refresh(ended.refreshToken))).toMatchObject({
        code: "unauthenticated",
        message: "the refresh token is not valid",
      });
      expect(await revokeReasonOf(ada.tenantId, ended.refreshToken)).toBe(why);
    }
    // Someone else's sign-in is not touched; a new sign-in after the change works and refreshes.
    await tokensOf(refresh(bobs.refreshToken));
    await tokensOf(refresh((await tokensOf(login(ada, password))).refreshToken));
  });

  it("does not end the sign-ins when the roles assigned are the ones the account has", async () => {
    const ada = await person([Role.ROLE_EMPLOYEE, Role.ROLE_MANAGER]);
    const signedIn = await tokensOf(login(ada));
    const same = [Role.ROLE_MANAGER, Role.ROLE_EMPLOYEE];
    const request = { requestId: randomUUID(), id: ada.accountId, etag: (await account(ada)).etag, roles: same };
    await identity.accounts.assignRoles(request, ada.admin);
    await tokensOf(refresh(signedIn.refreshToken));
  });
});

describe("the roles in an access token", () => {
  it("name every role of the contract, recruiter included", async () => {
    const contractRoles = Object.values(Role).filter((v): v is Role => typeof v === "number" && v > 0);
    const everyone = await person(contractRoles);
    const { accessToken } = await tokensOf(login(everyone));
    // The names identity stores and authorization rules use, one per value of the generated enum.
    expect(decodeJwt(accessToken).roles).toEqual([...ROLES]);
    expect(contractRoles).toHaveLength(ROLES.length);

    const recruiter = await person([Role.ROLE_RECRUITER]);
    expect(decodeJwt((await tokensOf(login(recruiter))).accessToken).roles).toEqual(["recruiter"]);
  });
});
