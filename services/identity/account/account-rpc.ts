import type { Logger } from "pino";
import { v7 as uuidv7 } from "uuid";
import {
  AccountServiceDefinition,
  type AccountServiceDefinition as Definition,
} from "../../../generated/proto/hr/identity/v1/account_service.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import { type CommandMethod, CommandPipeline } from "../../../runtime/db/commands.js";
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
  requireAdministers,
  requireHeldRoles,
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

/** Whether a request's account id names the caller's own account: a person's token subject is its account id. */
function isOwnAccount(caller: Caller, id: string): boolean {
  return id.toLowerCase() === caller.userId.toLowerCase();
}

/**
 * hr.identity.v1.AccountService: validates, runs the domain through the
 * repository, maps to protobuf. `logger` receives the audit lines (password
 * resets by an administrator).
 */
export function accountRpc(db: SqlDatabase, logger: Logger): BusinessService<typeof Definition> {
  const accounts = new AccountRepository(db);
  const commands = new CommandPipeline(db, (tx) => new AccountRepository(tx));

  async function load(repo: AccountRepository, tenantId: string, id: string): Promise<Account> {
    return (await repo.get(tenantId, id)) ?? Promise.reject(notFound("account", id));
  }

  /** Load → check etag → domain command → save, once per request id. */
  function change(
    caller: Caller,
    method: CommandMethod<{ account?: ReturnType<typeof toAccountMessage> }>,
    request: { requestId: string },
    id: string,
    etag: string,
    apply: (current: Account) => Promise<Account> | Account,
  ) {
    return commands.run(caller.tenantId, method, request, async (repo) => {
      const current = await load(repo, caller.tenantId, id);
      assertEtag(`accounts/${id}`, current.version, etag);
      const changed = await apply(current);
      await repo.update(changed, current.version);
      return { account: toAccountMessage(viewOf(changed)) };
    });
  }

  return {
    async getAccount(request, { caller, access }) {
      access.check(isOwnAccount(caller, request.id));
      return { account: toAccountMessage(viewOf(await load(accounts, caller.tenantId, requireId("id", request.id)))) };
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
      const fingerprinted = await withoutSecrets(caller, request, ["initialPassword"]);
      return commands.run(caller.tenantId, methods.createAccount, fingerprinted, async (repo) => {
        const roles = roleNamesOf(request.roles);
        const draft = draftAccount({ ...request, id: uuidv7(), tenantId: caller.tenantId, roles });
        requireHeldRoles(caller.roles, draft.roles, "the new account");
        const created = createAccount(draft, await hashPassword(request.initialPassword), nowIso());
        await repo.insert(created);
        return { account: toAccountMessage(viewOf(created)) };
      });
    },

    async changePassword(request, { caller, access }) {
      // Before anything else: a stranger's guesses must not count against (and lock) the account.
      const own = isOwnAccount(caller, request.id);
      access.check(own);
      const { currentPassword, newPassword } = request;
      const id = requireId("id", request.id);
      const fingerprinted = await withoutSecrets(caller, request, ["currentPassword", "newPassword"]);
      const changer = own ? ({ kind: "own" } as const) : ({ kind: "reset", callerRoles: caller.roles } as const);
      let wrongPasswordFor: Account | undefined;
      try {
        const changed = await change(
          caller,
          methods.changePassword,
          fingerprinted,
          id,
          request.etag,
          async (current) => {
            const { verifyCurrentPassword } = checkPasswordChange(current, request, changer);
            if (verifyCurrentPassword && !(await verifyPassword(currentPassword, current.passwordHash))) {
              wrongPasswordFor = current;
              throw currentPasswordIncorrect();
            }
            return changePassword(current, await hashPassword(newPassword), nowIso());
          },
        );
        if (!own) {
          const { tenantId, userId: actor } = caller;
          logger.info(
            { audit: "password_reset", tenantId, accountId: id, actor },
            "password reset by an administrator",
          );
        }
        return changed;
      } catch (error) {
        // Counted like a failed login, otherwise this would be an unlimited
        // password oracle; after the refused command rolled back, in its own write.
        if (wrongPasswordFor) await settleVerification(db, wrongPasswordFor, false);
        throw error;
      }
    },

    assignRoles(request, { caller, access }) {
      access.check(isOwnAccount(caller, request.id));
      const id = requireId("id", request.id);
      return change(caller, methods.assignRoles, request, id, request.etag, (current) =>
        assignRoles(current, roleNamesOf(request.roles), caller.roles, nowIso()),
      );
    },

    disableAccount(request, { caller, access }) {
      access.check(isOwnAccount(caller, request.id));
      const id = requireId("id", request.id);
      return change(caller, methods.disableAccount, request, id, request.etag, (current) => {
        requireAdministers(caller.roles, current);
        return disableAccount(current, nowIso());
      });
    },

    enableAccount(request, { caller, access }) {
      access.check(isOwnAccount(caller, request.id));
      const id = requireId("id", request.id);
      return change(caller, methods.enableAccount, request, id, request.etag, (current) => {
        requireAdministers(caller.roles, current);
        return enableAccount(current, nowIso());
      });
    },

    verifyCredentials(request, { caller }) {
      return verifyCredentials(db, caller.tenantId, request);
    },
  };
}
