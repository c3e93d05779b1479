import { randomUUID } from "node:crypto";
import { Metadata } from "nice-grpc";
import { pino } from "pino";
import { issueCallerToken } from "../../runtime/auth/caller.js";
import { readRuntimeConfig } from "../../runtime/config.js";

/** The configuration every server under test runs with: development secret, no logs. */
export const testConfig = readRuntimeConfig({ LOG_LEVEL: "silent", SHUTDOWN_GRACE_MS: "5000" });

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
  const token = await issueCallerToken({ tenantId, userId, roles, employeeId }, testConfig.auth);
  return { metadata: Metadata({ authorization: `Bearer ${token}` }), tenantId };
}

/** Server logs stay quiet unless TEST_LOG_LEVEL asks for them (e.g. TEST_LOG_LEVEL=info). */
export function testLogger() {
  return pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
}

/** Tests see every failure as it happens: no retries unless a test asks for them. */
export const testClientPolicy = { defaultDeadlineMs: 10_000, maxAttempts: 1 };
