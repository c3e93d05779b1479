import { v7 as uuidv7 } from "uuid";
import type { AccountServiceDefinition } from "../../../generated/proto/hr/identity/v1/account_service.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import { type IdempotencyKey, idempotencyKey, type RawSql, runOnce } from "../../../runtime/db/run-once.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import { assertEtag } from "../../../runtime/domain/etag.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { requireId } from "../../../runtime/server/request-checks.js";
import {
  type Account,
  type AccountView,
  assignRoles,
  changePassword,
  checkPasswordChange,
  createAccount,
  currentPasswordIncorrect,
  disableAccount,
  draftAccount,
  enableAccount,
  viewOf,
} from "./account.js";
import { listFilterOf, roleNamesOf, toAccountMessage } from "./account-proto.js";
import type { AccountFilter, AccountRepository } from "./account-repository.js";
import { digestSecrets, hashPassword, verifyPassword } from "./password-hash.js";
import { settleVerification, verifyCredentials } from "./verify-credentials-rpc.js";

/**
 * The idempotency key of a request carrying passwords: they enter the
 * fingerprint only through a slow salted digest (see digestSecrets), never
 * through the plain SHA-256 idempotencyKey takes of the rest.
 */
async function keyWithSecrets<R extends { requestId: string }>(
  caller: Caller,
  method: string,
  request: R,
  secretFields: (keyof R)[],
): Promise<IdempotencyKey> {
  const scope = `${caller.tenantId}\n${request.requestId}`;
  const digest = await digestSecrets(
    secretFields.map((field) => String(request[field])),
    scope,
  );
  const masked = Object.fromEntries(secretFields.map((field) => [field, ""]));
  return idempotencyKey(caller.tenantId, method, { ...request, ...masked, secrets: digest });
}

/** hr.identity.v1.AccountService: validates, runs the domain through the repository, maps to protobuf. */
export function accountRpc(accounts: AccountRepository, db: RawSql): BusinessService<typeof AccountServiceDefinition> {
  async function load(tenantId: string, id: string): Promise<Account> {
    return (await accounts.get(tenantId, id)) ?? Promise.reject(notFound("account", id));
  }

  /** Load → check etag → domain command → save, once per request id. */
  async function change(
    caller: Caller,
    key: IdempotencyKey,
    id: string,
    etag: string,
    apply: (current: Account) => Promise<Account> | Account,
  ) {
    const account = await runOnce<AccountView>(db, key, async () => {
      const current = await load(caller.tenantId, id);
      assertEtag(`accounts/${id}`, current.version, etag);
      const changed = await apply(current);
      await accounts.update(changed, current.version, key);
      return viewOf(changed);
    });
    return { account: toAccountMessage(account) };
  }

  return {
    async getAccount(request, { caller }) {
      return { account: toAccountMessage(viewOf(await load(caller.tenantId, requireId("id", request.id)))) };
    },

    async listAccounts(request, { caller }) {
      const pageSize = pageSizeOf(request.pageSize);
      const filter: AccountFilter = listFilterOf(request);
      const afterId = decodePageToken(request.pageToken, caller.tenantId, filter);
      const rows = await accounts.list(caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(rows, pageSize, caller.tenantId, filter);
      return { accounts: items.map((a) => toAccountMessage(viewOf(a))), nextPageToken };
    },

    async createAccount(request, { caller }) {
      const key = await keyWithSecrets(caller, "CreateAccount", request, ["initialPassword"]);
      const account = await runOnce<AccountView>(db, key, async () => {
        const roles = roleNamesOf(request.roles);
        const draft = draftAccount({ ...request, id: uuidv7(), tenantId: caller.tenantId, roles });
        const created = createAccount(draft, await hashPassword(request.initialPassword), nowIso());
        await accounts.insert(created, key);
        return viewOf(created);
      });
      return { account: toAccountMessage(account) };
    },

    async changePassword(request, { caller }) {
      const { currentPassword, newPassword } = request;
      const key = await keyWithSecrets(caller, "ChangePassword", request, ["currentPassword", "newPassword"]);
      const id = requireId("id", request.id);
      return change(caller, key, id, request.etag, async (current) => {
        const { verifyCurrentPassword } = checkPasswordChange(current, request, caller.roles);
        if (verifyCurrentPassword && !(await verifyPassword(currentPassword, current.passwordHash))) {
          // Counted like a failed login: otherwise this would be an unlimited password oracle.
          await settleVerification(accounts, current, false);
          throw currentPasswordIncorrect();
        }
        return changePassword(current, await hashPassword(newPassword), nowIso());
      });
    },

    async assignRoles(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "AssignRoles", request);
      const id = requireId("id", request.id);
      return change(caller, key, id, request.etag, (current) =>
        assignRoles(current, roleNamesOf(request.roles), nowIso()),
      );
    },

    async disableAccount(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "DisableAccount", request);
      const id = requireId("id", request.id);
      return change(caller, key, id, request.etag, (current) => disableAccount(current, nowIso()));
    },

    async enableAccount(request, { caller }) {
      const key = idempotencyKey(caller.tenantId, "EnableAccount", request);
      const id = requireId("id", request.id);
      return change(caller, key, id, request.etag, (current) => enableAccount(current, nowIso()));
    },

    async verifyCredentials(request, { caller }) {
      return verifyCredentials(accounts, caller.tenantId, request);
    },
  };
}
