import { createHash, randomBytes } from "node:crypto";
import { TENANT_ID } from "../../runtime/auth/claim-shapes.js";

/**
 * Refresh tokens as clients hold them: `<tenant id>.<256 random bits in
 * base64url>`. Refresh and Logout are called without an access token, so
 * the token itself says which tenant's session store to ask; the tenant is
 * no secret, the random part is. The session store keeps only the SHA-256
 * of the whole token, which cannot be reversed to a usable token.
 */

const SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface RefreshToken {
  token: string;
  tenantId: string;
  /** Hex SHA-256 of `token`: all the session store ever sees. */
  hash: string;
}

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

export function newRefreshToken(tenantId: string): RefreshToken {
  const token = `${tenantId}.${randomBytes(32).toString("base64url")}`;
  return { token, tenantId, hash: hashOf(token) };
}

/** The token's tenant and hash, or undefined when it is not shaped like a token this app issues. */
export function parseRefreshToken(token: string): RefreshToken | undefined {
  const dot = token.lastIndexOf(".");
  const tenantId = token.slice(0, dot);
  if (dot < 0 || !TENANT_ID.test(tenantId) || !SECRET.test(token.slice(dot + 1))) return undefined;
  return { token, tenantId, hash: hashOf(token) };
}
