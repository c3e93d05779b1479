import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt, decodeProtectedHeader, type JWTPayload, SignJWT } from "jose";
import { Status } from "nice-grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountStatus, Role } from "../../generated/proto/hr/identity/v1/account_service.js";
import type { Tokens } from "../../generated/proto/hr/session/v1/session_service.js";
import { DEVELOPMENT_KID_PREFIX, writeKeyPair } from "../../runtime/auth/development-keys.js";
import { loadTokenSigner, type TokenSigner } from "../../runtime/auth/token-signer.js";
import { readRuntimeConfig } from "../../runtime/server/runtime-config.js";
import {
  as,
  bearer,
  type Caller,
  forgedSigner,
  newTenant,
  testConfig,
  testKeys,
  testSigner,
} from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";
import { startSession } from "../support/session-under-test.js";

// The session app (hr.session.v1.SessionService) against a real identity
// server: sign-in, refresh rotation and reuse, logout, and the token checks
// every server makes. Run alone: npm test -- test/apps/session.test.ts

const PASSWORD = "correct horse battery staple";
let identity: IdentityUnderTest;
let app: Awaited<ReturnType<typeof startSession>>;
beforeAll(async () => {
  identity = await startIdentity();
  app = await startSession(identity.address);
});
afterAll(async () => {
  await app?.stop();
  await identity?.stop();
});

/** A tenant with one active employee account, linked to `employeeId` when given. */
async function person(employeeId = "") {
  const tenantId = newTenant();
  const admin = await as(tenantId);
  const loginName = `ada.${randomUUID().slice(0, 8)}@example.com`;
  const request = { requestId: randomUUID(), loginName, employeeId, displayName: "Ada", initialPassword: PASSWORD };
  const { account } = await identity.accounts.createAccount({ ...request, roles: [Role.ROLE_EMPLOYEE] }, admin);
  return { tenantId, admin, loginName, accountId: account?.id ?? "" };
}

async function login(tenantId: string, loginName: string, password = PASSWORD): Promise<Tokens> {
  const { tokens } = await app.session.login({ tenantId, loginName, password });
  if (tokens === undefined) throw new Error("no tokens");
  return tokens;
}

async function refresh(refreshToken: string): Promise<Tokens> {
  const { tokens } = await app.session.refresh({ refreshToken });
  if (tokens === undefined) throw new Error("no tokens");
  return tokens;
}

async function refusedRefresh(refreshToken: string) {
  const error = await expectError(app.session.refresh({ refreshToken }), Status.UNAUTHENTICATED);
  expect(error).toMatchObject({ reason: "INVALID_REFRESH_TOKEN", message: "the refresh token is not valid" });
}

/** Whether a data service accepts `token` for a read of the tenant's accounts (an administrator's token). */
const accepted = (token: string) => identity.accounts.listAccounts({ pageSize: 1 }, bearer(token));

/** Whether a data service accepts a person's access `token` for a read of their own account. */
const acceptedAsSelf = (token: string) =>
  identity.accounts.getAccount({ id: String(decodeJwt(token).sub) }, bearer(token));

describe("login", () => {
  it("answers an access token a data service accepts, living at most 15 minutes, and a refresh token", async () => {
    const ada = await person();
    const tokens = await login(ada.tenantId, ada.loginName.toUpperCase());
    const header = decodeProtectedHeader(tokens.accessToken);
    expect(header).toMatchObject({ alg: "EdDSA", kid: testSigner.kid });
    const claims = decodeJwt(tokens.accessToken);
    expect(claims).toMatchObject({ sub: ada.accountId, tenant_id: ada.tenantId, roles: ["employee"] });
    expect(Number(claims.exp) - Number(claims.iat)).toBeLessThanOrEqual(15 * 60);
    expect(tokens.accessTokenExpireTime?.getTime()).toBe(Number(claims.exp) * 1000);
    expect(tokens.refreshToken.startsWith(`${ada.tenantId}.`)).toBe(true);
    const days = ((tokens.refreshTokenExpireTime?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    const { account } = await identity.accounts.getAccount({ id: ada.accountId }, bearer(tokens.accessToken));
    expect(account?.loginName).toBe(ada.loginName);
  });

  it("names the account's employee in the access token (claim employee_id), at login and at every refresh", async () => {
    const employeeId = randomUUID();
    const ada = await person(employeeId);
    const tokens = await login(ada.tenantId, ada.loginName);
    expect(decodeJwt(tokens.accessToken).employee_id).toBe(employeeId);
    expect(decodeJwt((await refresh(tokens.refreshToken)).accessToken).employee_id).toBe(employeeId);
    const unlinked = await person();
    expect(decodeJwt((await login(unlinked.tenantId, unlinked.loginName)).accessToken)).not.toHaveProperty(
      "employee_id",
    );
  });

  it("answers a wrong password, an unknown login or tenant, a waiting or a disabled account identically", async () => {
    const ada = await person();
    const answers = [
      await expectError(login(ada.tenantId, ada.loginName, "wrong password"), Status.UNAUTHENTICATED),
      await expectError(login(ada.tenantId, "nobody@example.com"), Status.UNAUTHENTICATED),
      await expectError(login(newTenant(), ada.loginName), Status.UNAUTHENTICATED),
    ];
    for (let i = 0; i < 4; i++) await expectError(login(ada.tenantId, ada.loginName, "wrong"), Status.UNAUTHENTICATED);
    const { account: waiting } = await identity.accounts.getAccount({ id: ada.accountId }, ada.admin);
    expect(waiting).toMatchObject({ status: AccountStatus.ACCOUNT_STATUS_ACTIVE, failedVerificationCount: 5 });
    // During the wait after the 5th failure (30 s by default) the right password gets the same answer.
    answers.push(await expectError(login(ada.tenantId, ada.loginName), Status.UNAUTHENTICATED));
    const bob = await person();
    const { account } = await identity.accounts.getAccount({ id: bob.accountId }, bob.admin);
    await identity.accounts.disableAccount(
      { requestId: randomUUID(), id: bob.accountId, etag: account?.etag ?? "" },
      bob.admin,
    );
    answers.push(await expectError(login(bob.tenantId, bob.loginName), Status.UNAUTHENTICATED));
    for (const answer of answers) {
      expect(answer).toEqual({
        code: Status.UNAUTHENTICATED,
        message: "invalid tenant, login name or password, or too many failed attempts: wait and try again",
        reason: "INVALID_CREDENTIALS",
        fields: [],
        preconditions: [],
      });
    }
  });
});

describe("refresh and logout", () => {
  it("rotates: the new tokens work, the refresh token presented stops working", async () => {
    const ada = await person();
    const first = await login(ada.tenantId, ada.loginName);
    const second = await refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(decodeJwt(second.accessToken).sub).toBe(ada.accountId);
    await acceptedAsSelf(second.accessToken);
    const third = await refresh(second.refreshToken);
    await acceptedAsSelf(third.accessToken);
  });

  it("revokes the whole sign-in when a used refresh token comes back: the newer one stops working too", async () => {
    const ada = await person();
    const first = await login(ada.tenantId, ada.loginName);
    const second = await refresh(first.refreshToken);
    await refusedRefresh(first.refreshToken);
    await refusedRefresh(second.refreshToken);
    // Another sign-in of the same person is not affected.
    await refresh((await login(ada.tenantId, ada.loginName)).refreshToken);
  });

  it("refuses to refresh once the account is disabled", async () => {
    const ada = await person();
    const tokens = await login(ada.tenantId, ada.loginName);
    const { account } = await identity.accounts.getAccount({ id: ada.accountId }, ada.admin);
    await identity.accounts.disableAccount(
      { requestId: randomUUID(), id: ada.accountId, etag: account?.etag ?? "" },
      ada.admin,
    );
    await refusedRefresh(tokens.refreshToken);
  });

  it("logs out: the refresh token stops working; a repeat or a token it never issued answers the same", async () => {
    const ada = await person();
    const tokens = await login(ada.tenantId, ada.loginName);
    expect(await app.session.logout({ refreshToken: tokens.refreshToken })).toEqual({});
    await refusedRefresh(tokens.refreshToken);
    expect(await app.session.logout({ refreshToken: tokens.refreshToken })).toEqual({});
    expect(await app.session.logout({ refreshToken: `${ada.tenantId}.${"x".repeat(43)}` })).toEqual({});
    expect(await app.session.logout({ refreshToken: "garbage" })).toEqual({});
    await refusedRefresh("garbage");
    await refusedRefresh(`${"\u0000"}.${"x".repeat(43)}`);
  });
});

/** A token signed as the session app would, with `claims` and `header` overriding the defaults. */
async function token(options: { claims?: JWTPayload; header?: object; signer?: TokenSigner; lifetime?: number } = {}) {
  const signer = options.signer ?? testSigner;
  const now = Math.floor(Date.now() / 1000);
  const lifetime = options.lifetime ?? 300;
  const claims = { tenant_id: newTenant(), roles: ["hr_admin"], sub: "user-1", iss: "hr-platform", aud: "hr-api" };
  return new SignJWT({ ...claims, iat: now, nbf: now, exp: now + lifetime, ...options.claims })
    .setProtectedHeader({ alg: signer.alg, kid: signer.kid, ...options.header })
    .sign(signer.key);
}

const encoded = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("the token checks every server makes", () => {
  it("accepts a well-formed token, as the baseline of every refusal below", async () => {
    await accepted(await token());
  });

  it("refuses every other token UNAUTHENTICATED, never INTERNAL", async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      tenant_id: newTenant(),
      sub: "mallory",
      roles: ["tenant_admin"],
      iss: "hr-platform",
      aud: "hr-api",
    };
    const hs256 = await new SignJWT({ ...claims, iat: now, exp: now + 300 })
      .setProtectedHeader({ alg: "HS256", kid: testSigner.kid })
      .sign(new TextEncoder().encode("a-shared-secret-any-process-could-hold"));
    const none = `${encoded({ alg: "none", kid: testSigner.kid })}.${encoded({ ...claims, iat: now, exp: now + 300 })}.`;
    const refused: [string, string][] = [
      ["signed by another key", await token({ signer: await forgedSigner() })],
      ["HS256", hs256],
      ["alg none", none],
      ["no kid", await token({ header: { kid: undefined } })],
      ["wrong issuer", await token({ claims: { iss: "someone-else" } })],
      ["wrong audience", await token({ claims: { aud: "another-api" } })],
      ["expired", await token({ claims: { iat: now - 600, nbf: now - 600, exp: now - 120 } })],
      ["not yet valid", await token({ claims: { nbf: now + 600 } })],
      ["too long-lived", await token({ lifetime: 3_600 })],
      ["no iat", await token({ claims: { iat: undefined } })],
      ["tenant with a NUL byte", await token({ claims: { tenant_id: "acme\u0000" } })],
      ["tenant of 2.7 KB", await token({ claims: { tenant_id: "t".repeat(2_700) } })],
      ["tenant of 65 characters", await token({ claims: { tenant_id: "t".repeat(65) } })],
      ["tenant with a space", await token({ claims: { tenant_id: "ac me" } })],
      ["tenant not a string", await token({ claims: { tenant_id: 42 } })],
      ["subject with a NUL byte", await token({ claims: { sub: "user\u0000" } })],
      ["subject of 129 characters", await token({ claims: { sub: "u".repeat(129) } })],
      ["roles not a list", await token({ claims: { roles: "hr_admin" } })],
      ["a role of a bad shape", await token({ claims: { roles: ["HR ADMIN"] } })],
      ["too many roles", await token({ claims: { roles: Array.from({ length: 17 }, (_, i) => `role_${i}`) } })],
      ["not a JWT", "not-a-jwt"],
    ];
    for (const [why, bad] of refused) {
      const error = await expectError(accepted(bad), Status.UNAUTHENTICATED).catch((e: Error) => {
        throw new Error(`${why}: ${e.message}`);
      });
      expect(error.message, why).toBe("the bearer token is not valid");
    }
  });

  it("accepts tokens of either key while the JWKS holds both (a key rotation), and no other", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hr-rotation-"));
    try {
      const next = await writeKeyPair(dir, `next-${randomUUID()}`);
      const { keys: current } = JSON.parse(await readFile(testKeys.jwksFile, "utf8"));
      const both = join(dir, "both.json");
      await writeFile(both, JSON.stringify({ keys: [...current, next.publicJwk] }));
      const rotating = await startIdentity(readRuntimeConfig({ LOG_LEVEL: "silent", AUTH_JWKS_FILE: both }));
      const onlyNext = await startIdentity(readRuntimeConfig({ LOG_LEVEL: "silent", AUTH_JWKS_FILE: next.jwksFile }));
      try {
        const nextSigner = await loadTokenSigner(next.signingKeyFile, {});
        const list = (server: IdentityUnderTest, caller: Caller) =>
          server.accounts.listAccounts({ pageSize: 1 }, caller);
        await list(rotating, bearer(await token()));
        await list(rotating, bearer(await token({ signer: nextSigner })));
        await list(onlyNext, bearer(await token({ signer: nextSigner })));
        await expectError(list(onlyNext, bearer(await token())), Status.UNAUTHENTICATED);
      } finally {
        await rotating.stop();
        await onlyNext.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses to start in production on a development key", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hr-dev-keys-"));
    try {
      const dev = await writeKeyPair(dir, `${DEVELOPMENT_KID_PREFIX}${randomUUID()}`);
      const production = { NODE_ENV: "production", AUTH_JWKS_FILE: dev.jwksFile };
      expect(() => readRuntimeConfig(production)).toThrow(/development keys are refused in production/);
      expect(() => readRuntimeConfig({ NODE_ENV: "production" })).toThrow(/must be set in production/);
      await expect(loadTokenSigner(dev.signingKeyFile, production)).rejects.toThrow(/refused in production/);
      // The same files serve a laptop.
      expect(readRuntimeConfig({ AUTH_JWKS_FILE: dev.jwksFile }).auth.issuer).toBe(testConfig.auth.issuer);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
