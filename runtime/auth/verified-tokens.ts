import type { Caller } from "./caller.js";

/** Checks a token fully (signature, claims, expiry), as verifyCallerToken does. */
export type VerifyToken = (token: string) => Promise<{ caller: Caller; expiresAtMs: number }>;

/**
 * Verified tokens, kept until they expire. Verifying a signature costs tens
 * of microseconds of CPU (an Ed25519 check more than HMAC did); a client sends
 * the same token with every call until it expires, so each one is verified
 * once. A token is immutable: its signature, claims and expiry cannot change,
 * so a hit needs only the expiry checked again. Bounded: past `capacity`
 * tokens, the oldest entry goes first.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, { caller: Caller; expiresAtMs: number }>();

  constructor(
    private readonly verifyToken: VerifyToken,
    private readonly capacity = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<Caller> {
    const hit = this.entries.get(token);
    if (hit !== undefined && hit.expiresAtMs > this.now()) return hit.caller;
    if (hit !== undefined) this.entries.delete(token);
    const { caller, expiresAtMs } = await this.verifyToken(token);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { caller, expiresAtMs });
    return caller;
  }
}
