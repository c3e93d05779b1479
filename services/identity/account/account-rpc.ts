import { v7 as uuidv7 } from "uuid";
import {
  AccountServiceDefinition,
  type AccountServiceDefinition as Definition,
} from "../../../generated/proto/hr/identity/v1/account_service.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import { type CommandMethod, CommandPipeline, type TenantCall } from "../../../runtime/db/commands.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import { assertEtag } from "../../../runtime/domain/etag.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { requireId } from "../../../runtime/server/request-checks.js";
import {
  type Account,
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
import { type AccountFilter, AccountRepository } from "./account-repository.js";
import { digestSecrets, hashPassword, verifyPassword } from "./password-hash.js";
import { settleVerification, verifyCredentials } from "./verify-credentials-rpc.js";

const methods = AccountServiceDefinition.methods;

/**
 * The request as its idempotency fingerprint may see it: the password fields
 * blanked and replaced by one slow salted digest of them (see digestSecrets),
 * so the stored fingerprint is no fast, unsalted hash of a password.
 */
async function withoutSecrets<R extends { requestId: string }>(caller: Caller, request: R, secretFields: (keyof R)[]) {
  const scope = `${caller.tenantId}\n${request.requestId}`;
  const secrets = await digestSecrets(
    secretFields.map((field) => String(request[field])),
    scope,
  );
  const blanked = Object.fromEntries(secretFields.map((field) => [field, ""]));
  return { ...request, ...blanked, secrets };
}

/** hr.identity.v1.AccountService: validates, runs the domain through the repository, maps to protobuf. */
export function accountRpc(db: SqlDatabase): BusinessService<typeof Definition> {
  const accounts = (call: { signal: AbortSignal }) => new AccountRepository(db.forCall(call.signal));
  const commands = new CommandPipeline(db, (tx) => new AccountRepository(tx));

  async function load(repo: AccountRepository, tenantId: string, id: string): Promise<Account> {
    return (await repo.get(tenantId, id)) ?? Promise.reject(notFound("account", id));
  }

  /** Load → check etag → domain command → save, once per request id. */
  function change(
    call: TenantCall,
    method: CommandMethod<{ account?: ReturnType<typeof toAccountMessage> }>,
    request: { requestId: string },
    id: string,
    etag: string,
    apply: (current: Account) => Promise<Account> | Account,
  ) {
    return commands.run(call, method, request, async (repo) => {
      const current = await load(repo, call.caller.tenantId, id);
      assertEtag(`accounts/${id}`, current.version, etag);
      const changed = await apply(current);
      await repo.update(changed, current.version);
      return { account: toAccountMessage(viewOf(changed)) };
    });
  }

  return {
    async getAccount(request, call) {
      return {
        account: toAccountMessage(
          viewOf(await load(accounts(call), call.caller.tenantId, requireId("id", request.id))),
        ),
      };
    },

    async listAccounts(request, call) {
      const pageSize = pageSizeOf(request.pageSize);
      const filter: AccountFilter = listFilterOf(request);
      const afterId = decodePageToken(request.pageToken, call.caller.tenantId, filter);
      const rows = await accounts(call).list(call.caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(rows, pageSize, call.caller.tenantId, filter);
      return { accounts: items.map((a) => toAccountMessage(viewOf(a))), nextPageToken };
    },

    async createAccount(request, call) {
      const fingerprinted = await withoutSecrets(call.caller, request, ["initialPassword"]);
      return commands.run(call, methods.createAccount, fingerprinted, async (repo) => {
        const roles = roleNamesOf(request.roles);
        const draft = draftAccount({ ...request, id: uuidv7(), tenantId: call.caller.tenantId, roles });
        const created = createAccount(draft, await hashPassword(request.initialPassword), nowIso());
        await repo.insert(created);
        return { account: toAccountMessage(viewOf(created)) };
      });
    },

    async changePassword(request, call) {
      const { currentPassword, newPassword } = request;
      const fingerprinted = await withoutSecrets(call.caller, request, ["currentPassword", "newPassword"]);
      const id = requireId("id", request.id);
      let wrongPasswordFor: Account | undefined;
      try {
        return await change(call, methods.changePassword, fingerprinted, id, request.etag, async (current) => {
          const { verifyCurrentPassword } = checkPasswordChange(current, request, call.caller.roles);
          if (verifyCurrentPassword && !(await verifyPassword(currentPassword, current.passwordHash))) {
            wrongPasswordFor = current;
            throw currentPasswordIncorrect();
          }
          return changePassword(current, await hashPassword(newPassword), nowIso());
        });
      } catch (error) {
        // Counted like a failed login, otherwise this would be an unlimited
        // password oracle; after the refused command rolled back, in its own write.
        if (wrongPasswordFor) await settleVerification(db, wrongPasswordFor, false);
        throw error;
      }
    },

    assignRoles(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.assignRoles, request, id, request.etag, (current) =>
        assignRoles(current, roleNamesOf(request.roles), nowIso()),
      );
    },

    disableAccount(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.disableAccount, request, id, request.etag, (current) =>
        disableAccount(current, nowIso()),
      );
    },

    enableAccount(request, call) {
      const id = requireId("id", request.id);
      return change(call, methods.enableAccount, request, id, request.etag, (current) =>
        enableAccount(current, nowIso()),
      );
    },

    verifyCredentials(request, call) {
      // Not bounded by the call: a caller that hangs up after the password
      // check must not escape the failed-attempt count.
      return verifyCredentials(db, call.caller.tenantId, request);
    },
  };
}
