import { randomUUID } from "node:crypto";
import { generateKeyPair } from "jose";
import { Metadata } from "nice-grpc";
import { pino } from "pino";
import { inject } from "vitest";
import { issueCallerToken, loadTokenSigner, type TokenSigner } from "../../runtime/auth/token-signer.js";
import { readRuntimeConfig } from "../../runtime/server/runtime-config.js";

/** The run's token key pair (test/support/global-setup.ts): servers verify with its JWKS. */
export const testKeys = inject("testKeys");

/** The configuration every server under test runs with: the run's public keys, no logs. */
export const testConfig = readRuntimeConfig({
  LOG_LEVEL: "silent",
  SHUTDOWN_GRACE_MS: "5000",
  AUTH_JWKS_FILE: testKeys.jwksFile,
});

/** Signs tokens the servers under test accept, as the session app would. */
export const testSigner = await loadTokenSigner(testKeys.signingKeyFile, {});

/** A signer an attacker could hold: a key of its own, presented under the run's key id. */
export async function forgedSigner(): Promise<TokenSigner> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  return { kid: testSigner.kid, alg: "EdDSA", key: privateKey };
}

/** A fresh tenant id, so tests never see each other's data even in one database. */
export function newTenant(): string {
  return `tenant-${randomUUID()}`;
}

/** Call options that authenticate a test's calls as one user of one tenant (whose id they keep). */
export type Caller = { metadata: Metadata; tenantId: string };

/**
 * The default caller's roles: an administrator holding every role an account
 * can grant, so a test of a context's domain is not refused by
 * authorization (test/runtime/authorization-matrix.test.ts checks that).
 * Service roles are never in it: a test asks for them by name.
 */
export const ADMIN_ROLES = ["tenant_admin", "hr_admin", "manager", "employee", "recruiter"];

/** Call options carrying `token` as the bearer token (of a caller of `tenantId`, when the test knows it). */
export function bearer(token: string, tenantId = ""): Caller {
  return { metadata: Metadata({ authorization: `Bearer ${token}` }), tenantId };
}

/** A token of `userId` in `tenantId`, signed with the run's key, living 5 minutes. */
export function tokenOf(
  tenantId: string,
  userId: string,
  roles: readonly string[],
  employeeId?: string,
): Promise<string> {
  return issueCallerToken({ tenantId, userId, roles, employeeId }, testSigner, testConfig.auth, 300);
}

/**
 * Call options that authenticate as a user of `tenantId` with `roles`. The
 * user id (the token's subject, a person's account id) is a fixed one per
 * tenant unless given; `employeeId` names the employee the caller is.
 */
export async function as(
  tenantId: string,
  roles: readonly string[] = ADMIN_ROLES,
  who: { userId?: string; employeeId?: string } = {},
): Promise<Caller> {
  const { userId = `user-of-${tenantId}`, employeeId } = who;
  return bearer(await tokenOf(tenantId, userId, roles, employeeId), tenantId);
}

/** Server logs stay quiet unless TEST_LOG_LEVEL asks for them (e.g. TEST_LOG_LEVEL=info). */
export function testLogger() {
  return pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
}

/** Tests see every failure as it happens: no retries, and no calls held back by the client, unless a test asks. */
export const testClientPolicy = {
  defaultDeadlineMs: 10_000,
  maxAttempts: 1,
  maxCallsInFlight: testConfig.maxConcurrentStreams,
  throttle: { ratio: 0, windowSeconds: 10 },
};
