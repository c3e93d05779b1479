import { describe, expect, it } from "vitest";
import type { Caller } from "../../runtime/auth/caller.js";
import { VerifiedTokens } from "../../runtime/auth/verified-tokens.js";

/** A verifier that counts its calls and accepts tokens named "valid-…", expiring at `expiresAtMs`. */
function countingVerifier(expiresAtMs: number) {
  const calls: string[] = [];
  const verify = async (token: string) => {
    calls.push(token);
    if (!token.startsWith("valid-")) throw new Error("bad token");
    const caller: Caller = { tenantId: "acme", userId: token, roles: [] };
    return { caller, expiresAtMs };
  };
  return { calls, verify };
}

describe("verified tokens", () => {
  it("verifies a token once and serves repeats until it expires", async () => {
    let now = 1_000;
    const { calls, verify } = countingVerifier(2_000);
    const tokens = new VerifiedTokens(verify, 10, () => now);
    expect((await tokens.verify("valid-a")).userId).toBe("valid-a");
    await tokens.verify("valid-a");
    expect(calls).toEqual(["valid-a"]);
    now = 2_000;
    await tokens.verify("valid-a");
    expect(calls).toEqual(["valid-a", "valid-a"]);
  });

  it("never caches a refusal", async () => {
    const { calls, verify } = countingVerifier(2_000);
    const tokens = new VerifiedTokens(verify, 10, () => 1_000);
    await expect(tokens.verify("forged")).rejects.toThrow("bad token");
    await expect(tokens.verify("forged")).rejects.toThrow("bad token");
    expect(calls).toEqual(["forged", "forged"]);
  });

  it("keeps at most its capacity, dropping the oldest token first", async () => {
    const { calls, verify } = countingVerifier(2_000);
    const tokens = new VerifiedTokens(verify, 2, () => 1_000);
    for (const token of ["valid-a", "valid-b", "valid-c", "valid-c", "valid-b", "valid-a"]) await tokens.verify(token);
    expect(calls).toEqual(["valid-a", "valid-b", "valid-c", "valid-a"]);
  });
});
