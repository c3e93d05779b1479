import { createHash, randomBytes, randomUUID } from "node:crypto";
import { Status } from "nice-grpc";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RevokeReason, type Session, SessionState } from "../../generated/proto/hr/sessionstore/v1/session_service.js";
import { SessionRepository } from "../../services/identity/sessionstore/session-repository.js";
import { as, type Caller, newTenant } from "../support/callers.js";
import { expectError } from "../support/grpc-errors.js";
import { type IdentityUnderTest, startIdentity } from "../support/identity-under-test.js";

/** The session store serves the session application only: its calls carry that service role. */
const asSessionApp = (tenantId: string) => as(tenantId, ["session_service"]);

// The sessionstore context (hr.sessionstore.v1.SessionService, hosted by
// identity): refresh-token families stored as hashes, rotation, reuse
// detection (also between two concurrent rotations), logout, expiry, tenancy
// and request ids. Run alone: npm test -- test/contexts/sessionstore.test.ts

let identity: IdentityUnderTest;
beforeAll(async () => {
  identity = await startIdentity();
});
afterAll(() => identity?.stop());

/** A fresh refresh token and its hash, as the session app makes them. */
function newToken() {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: createHash("sha256").update(token).digest("hex") };
}

function present(session: Session | undefined): Session {
  if (session === undefined) throw new Error("the response carries no session");
  return session;
}

async function start(caller: Caller, hash = newToken().hash) {
  const request = { requestId: randomUUID(), accountId: randomUUID(), refreshTokenHash: hash };
  return { hash, session: present((await identity.sessions.startSession(request, caller)).session) };
}

async function rotate(caller: Caller, hash: string, newHash = newToken().hash, requestId = randomUUID()) {
  const request = { requestId, refreshTokenHash: hash, newRefreshTokenHash: newHash };
  return { hash: newHash, session: present((await identity.sessions.rotateRefreshToken(request, caller)).session) };
}

const revoke = async (caller: Caller, hash: string) =>
  present((await identity.sessions.revokeSession({ requestId: randomUUID(), refreshTokenHash: hash }, caller)).session);

async function refusedRotation(caller: Caller, hash: string, reason: string) {
  const error = await expectError(rotate(caller, hash), Status.UNAUTHENTICATED);
  expect(error.reason).toBe(reason);
}

const stored = (id: string) => identity.db.session.findUniqueOrThrow({ where: { id } });

describe("starting and rotating", () => {
  it("starts an active session that expires 30 days later, and keeps only the token's hash", async () => {
    const acme = await asSessionApp(newTenant());
    const { token, hash } = newToken();
    const { session } = await start(acme, hash);
    expect(session.state).toBe(SessionState.SESSION_STATE_ACTIVE);
    expect(session.rotationCount).toBe(0);
    const lifetime = (session.expireTime?.getTime() ?? 0) - (session.createTime?.getTime() ?? 0);
    expect(lifetime).toBe(30 * 24 * 3_600_000);
    const row = await stored(session.id);
    expect(row.currentTokenHash).toBe(hash);
    const everything = JSON.stringify([
      await identity.db.session.findMany(),
      await identity.db.usedRefreshToken.findMany(),
      await identity.db.idempotencyRecord.findMany(),
    ]);
    expect(everything).not.toContain(token);
  });

  it("rotates the current token, each new one in turn, and refuses a token it never issued", async () => {
    const acme = await asSessionApp(newTenant());
    const first = await start(acme);
    const second = await rotate(acme, first.hash);
    const third = await rotate(acme, second.hash);
    expect(third.session).toMatchObject({ id: first.session.id, rotationCount: 2 });
    expect((await stored(first.session.id)).currentTokenHash).toBe(third.hash);
    await refusedRotation(acme, newToken().hash, "REFRESH_TOKEN_INVALID");
    expect((await stored(first.session.id)).state).toBe("active");
  });

  it("refuses malformed hashes, naming each field", async () => {
    const acme = await asSessionApp(newTenant());
    const request = { requestId: randomUUID(), refreshTokenHash: "a-token", newRefreshTokenHash: "F".repeat(64) };
    const error = await expectError(identity.sessions.rotateRefreshToken(request, acme), Status.INVALID_ARGUMENT);
    expect(error.fields).toEqual(["refresh_token_hash", "new_refresh_token_hash"]);
    const start = { requestId: randomUUID(), accountId: "nobody", refreshTokenHash: "" };
    const refused = await expectError(identity.sessions.startSession(start, acme), Status.INVALID_ARGUMENT);
    expect(refused.fields).toEqual(["account_id", "refresh_token_hash"]);
  });
});

describe("reuse of a used token", () => {
  it("revokes the whole session: the newer token stops working too", async () => {
    const acme = await asSessionApp(newTenant());
    const first = await start(acme);
    const second = await rotate(acme, first.hash);
    await refusedRotation(acme, first.hash, "REFRESH_TOKEN_REUSED");
    expect(await stored(first.session.id)).toMatchObject({ state: "revoked", revokeReason: "token_reused" });
    await refusedRotation(acme, second.hash, "REFRESH_TOKEN_INVALID");
  });

  it("lets exactly one of two concurrent rotations of one token win; the other is a reuse", async () => {
    const acme = await asSessionApp(newTenant());
    const { hash, session } = await start(acme);
    // Both rotations queue behind a lock held here, so they truly race for the row.
    const blocker = new pg.Client({ connectionString: identity.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE", [session.id]);
      const racing = [rotate(acme, hash), rotate(acme, hash)].map((call) =>
        call.then(
          (won) => ({ won }),
          (error: unknown) => ({ error }),
        ),
      );
      await waitForLockWaiters(blocker, 2);
      await blocker.query("COMMIT");
      const outcomes = await Promise.all(racing);
      const winners = outcomes.flatMap((o) => ("won" in o ? [o.won] : []));
      expect(winners).toHaveLength(1);
      const loser = outcomes.find((o) => "error" in o);
      await expectError(Promise.reject(loser && "error" in loser ? loser.error : "none"), Status.UNAUTHENTICATED);
      expect(await stored(session.id)).toMatchObject({ state: "revoked", revokeReason: "token_reused" });
      await refusedRotation(acme, winners[0]?.hash ?? "", "REFRESH_TOKEN_INVALID");
    } finally {
      await blocker.end();
    }
  });
});

/** Resolves once `count` other backends wait for a lock. */
async function waitForLockWaiters(client: pg.Client, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    // Inside a transaction PostgreSQL would answer the same activity snapshot every time.
    await client.query("SELECT pg_stat_clear_snapshot()");
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
    );
    if ((rows[0]?.n ?? 0) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} calls waited for the session's lock`);
}

describe("logout and expiry", () => {
  it("revokes on logout, by the current or a used token, and answers a repeat with the revoked session", async () => {
    const acme = await asSessionApp(newTenant());
    const first = await start(acme);
    const second = await rotate(acme, first.hash);
    const revoked = await revoke(acme, second.hash);
    expect(revoked).toMatchObject({ state: SessionState.SESSION_STATE_REVOKED });
    expect(revoked.revokeReason).toBe(RevokeReason.REVOKE_REASON_LOGOUT);
    await refusedRotation(acme, second.hash, "REFRESH_TOKEN_INVALID");
    expect((await revoke(acme, first.hash)).revokeReason).toBe(RevokeReason.REVOKE_REASON_LOGOUT);
    const unknown = await expectError(revoke(acme, newToken().hash), Status.NOT_FOUND);
    expect(unknown.reason).toBe("SESSION_NOT_FOUND");
  });

  it("refuses to rotate an expired session", async () => {
    const acme = await asSessionApp(newTenant());
    const { hash, session } = await start(acme);
    await identity.db.session.update({
      where: { id: session.id },
      data: {
        createTime: new Date("2020-01-01"),
        updateTime: new Date("2020-01-01"),
        expireTime: new Date("2020-01-31"),
      },
    });
    await refusedRotation(acme, hash, "REFRESH_TOKEN_INVALID");
    expect((await stored(session.id)).rotationCount).toBe(0);
  });
});

describe("ending every session of an account", () => {
  it("revokes the account's active sessions with the reason, and leaves other accounts, tenants and ended sessions", async () => {
    const tenant = newTenant();
    const acme = await asSessionApp(tenant);
    const accountId = randomUUID();
    const startFor = async (caller: Caller, account: string) => {
      const { hash } = newToken();
      const request = { requestId: randomUUID(), accountId: account, refreshTokenHash: hash };
      return { hash, session: present((await identity.sessions.startSession(request, caller)).session) };
    };
    const [phone, laptop, loggedOut] = [
      await startFor(acme, accountId),
      await startFor(acme, accountId),
      await startFor(acme, accountId),
    ];
    await revoke(acme, loggedOut.hash);
    const colleague = await startFor(acme, randomUUID());
    const elsewhere = await startFor(await asSessionApp(newTenant()), accountId);

    const repository = new SessionRepository(identity.sql);
    expect(await repository.revokeAllOfAccount(tenant, accountId, "password_reset", new Date().toISOString())).toBe(2);
    for (const ended of [phone, laptop]) {
      expect(await stored(ended.session.id)).toMatchObject({ state: "revoked", revokeReason: "password_reset" });
      const error = await expectError(rotate(acme, ended.hash), Status.UNAUTHENTICATED);
      expect(error).toMatchObject({
        reason: "REFRESH_TOKEN_INVALID",
        message: "the refresh token is not valid: its session ended (password_reset)",
      });
      expect((await revoke(acme, ended.hash)).revokeReason).toBe(RevokeReason.REVOKE_REASON_PASSWORD_RESET);
    }
    expect((await stored(loggedOut.session.id)).revokeReason).toBe("logout");
    expect((await stored(colleague.session.id)).state).toBe("active");
    expect((await stored(elsewhere.session.id)).state).toBe("active");
  });
});

describe("tenancy and request ids", () => {
  it("never finds another tenant's session", async () => {
    const acme = await asSessionApp(newTenant());
    const other = await asSessionApp(newTenant());
    const { hash, session } = await start(acme);
    await refusedRotation(other, hash, "REFRESH_TOKEN_INVALID");
    await expectError(revoke(other, hash), Status.NOT_FOUND);
    expect(await stored(session.id)).toMatchObject({ state: "active", rotationCount: 0, currentTokenHash: hash });
  });

  it("answers a repeated rotation with its first answer, rotating once, and refuses the id with another payload", async () => {
    const acme = await asSessionApp(newTenant());
    const first = await start(acme);
    const requestId = randomUUID();
    const next = newToken().hash;
    const once = await rotate(acme, first.hash, next, requestId);
    const again = await rotate(acme, first.hash, next, requestId);
    expect(again).toEqual(once);
    expect(await stored(first.session.id)).toMatchObject({ rotationCount: 1, state: "active" });
    const error = await expectError(rotate(acme, first.hash, newToken().hash, requestId), Status.INVALID_ARGUMENT);
    expect(error.reason).toBe("REQUEST_ID_REUSED");
    expect((await stored(first.session.id)).state).toBe("active");
  });
});
