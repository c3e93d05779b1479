import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

/** The key the first passwords of onboarded logins derive from. */
export type LoginSecret = Uint8Array;

/**
 * The key, derived from the app's private signing key (JWK `d`) under a label
 * of its own, so no second secret has to be configured and kept, and nobody
 * without that key can compute a password.
 */
export function loginSecretOf(signingKeyFile: string): LoginSecret {
  const { d } = JSON.parse(readFileSync(signingKeyFile, "utf8")) as { d?: string };
  if (typeof d !== "string" || d === "") throw new Error(`${signingKeyFile}: not a private key`);
  return createHash("sha256").update(`hr onboarding initial password\n${d}`).digest();
}

/**
 * A login's first password, the same for every attempt of the case's login
 * step: CreateAccount's request id covers the password, so a replay after a
 * crash must send the same one. 43 random-looking characters that nobody
 * knows; HR sets the real one with an administrator's reset.
 */
export function initialPasswordOf(secret: LoginSecret, caseId: string, revision: number): string {
  return createHmac("sha256", secret).update(`${caseId}/${revision}`).digest("base64url");
}

/**
 * The password IssueFirstPassword sets and answers: derived from HR's request
 * id, so a repeated call answers (and sets) the same one, and another
 * request id gives another.
 */
export function issuedPasswordOf(secret: LoginSecret, caseId: string, requestId: string): string {
  return createHmac("sha256", secret).update(`${caseId}/issued/${requestId}`).digest("base64url");
}
