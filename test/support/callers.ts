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

/** Call options that authenticate a test's calls as one user of one tenant. */
export type Caller = { metadata: Metadata };

/** Call options that authenticate as a user of `tenantId`. */
export async function as(tenantId: string, roles: string[] = ["hr_admin"]): Promise<Caller> {
  const token = await issueCallerToken({ tenantId, userId: `user-of-${tenantId}`, roles }, testConfig.auth);
  return { metadata: Metadata({ authorization: `Bearer ${token}` }) };
}

/** Server logs stay quiet unless TEST_LOG_LEVEL asks for them (e.g. TEST_LOG_LEVEL=info). */
export function testLogger() {
  return pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
}

/** Tests see every failure as it happens: no retries unless a test asks for them. */
export const testClientPolicy = {
  defaultDeadlineMs: 10_000,
  maxAttempts: 1,
  maxCallsInFlight: testConfig.maxConcurrentStreams,
};
