import type { Logger } from "pino";
import { v7 as uuidv7 } from "uuid";
import {
  AccountServiceDefinition,
  type AccountServiceDefinition as Definition,
} from "../../../generated/proto/hr/identity/v1/account_service.js";
import { ErrorReason } from "../../../generated/proto/hr/identity/v1/error_reason.js";
import type { Caller } from "../../../runtime/auth/caller.js";
import type { CommandMethod, TenantCall } from "../../../runtime/db/commands.js";
import { decodePageToken, pageOf, pageSizeOf } from "../../../runtime/db/page-token.js";
import type { SqlDatabase } from "../../../runtime/db/sql.js";
import { VersionedCommands } from "../../../runtime/db/versioned-commands.js";
import { nowIso } from "../../../runtime/domain/clock.js";
import { notFound } from "../../../runtime/domain/domain-error.js";
import type { BusinessService } from "../../../runtime/server/grpc-server.js";
import { requireId } from "../../../runtime/server/request-checks.js";
import type { RevokeReason } from "../sessionstore/session.js";
import { SessionRepository } from "../sessionstore/session-repository.js";
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
  requireMayDisable,
  viewOf,
} from "./account.js";
import { listFilterOf, roleNamesOf, toAccountMessage } from "./account-proto.js";
import { type AccountFilter, AccountRepository } from "./account-repository.js";
import { digestSecrets, hashPassword } from "./password-hash.js";
import type { SignInThrottle } from "./sign-in-throttle.js";
import { checkPassword, settleVerification, verifyCredentials } from "./verify-credentials-rpc.js";

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
 * What an account command works with inside its transaction: the accounts,
 * and the sessionstore's sessions, which a change of the credential ends.
 * This reaches from one context into another, which is acceptable here and
 * only here: both contexts live in this one data service over one database,
 * so it is no call between services, and it is what makes the change and
 * the end of its sessions one transaction. An event to the sessionstore
 * instead would leave a window in which a stolen refresh token still works
 * after the password that it was stolen with has changed. Only the
 * repository's one bulk revocation is used, never the sessions' rows.
 */
interface AccountStore {
  accounts: AccountRepository;
  sessions: SessionRepository;
}

/** Why a change ends the account's sessions, if it does; decided on the account before and after. */
type EndsSessions = (current: Account, changed: Account) => RevokeReason | undefined;

const rolesChanged: EndsSessions = (current, changed) =>
  current.roles.join() === changed.roles.join() ? undefined : "roles_changed";

/**
 * hr.identity.v1.AccountService: validates, runs the domain through the
 * repository, maps to protobuf. `logger` receives the audit lines (password
 * resets by an administrator); `throttle` is the sign-in throttle's policy.
 */
export function accountRpc(
  db: SqlDatabase,
  logger: Logger,
  throttle: SignInThrottle,
): BusinessService<typeof Definition> {
  const accounts = (call: { signal: AbortSignal }) => new AccountRepository(db.forCall(call.signal));
  const commands = new VersionedCommands(
    db,
    (tx, outbox): AccountStore => ({
      accounts: new AccountRepository(tx, outbox),
      sessions: new SessionRepository(tx),
    }),
    {
      store: (store) => store.accounts,
      subject: (id) => `accounts/${id}`,
      missing: (id) => notFound(ErrorReason.ACCOUNT_NOT_FOUND, id),
      message: (changed: Account): { account?: ReturnType<typeof toAccountMessage> } => ({
        account: toAccountMessage(viewOf(changed)),
      }),
    },
  );

  /** Load → check etag → domain command → save (and end the sessions it ends), once per request id. */
  function change(
    call: TenantCall,
    method: CommandMethod<{ account?: ReturnType<typeof toAccountMessage> }>,
    request: { requestId: string },
    id: string,
    etag: string,
    apply: (current: Account) => Promise<Account> | Account,
    endsSessions: EndsSessions = () => undefined,
  ) {
    return commands.changeWith(call, method, request, { id, etag }, apply, async (changed, current, { sessions }) => {
      const reason = endsSessions(current, changed);
      if (reason) await sessions.revokeAllOfAccount(changed.tenantId, changed.id, reason, changed.updateTime);
      return commands.message(changed);
    });
  }

  return {
    async getAccount(request, call) {
      const { caller, access } = call;
      access.check(isOwnAccount(caller, request.id));
      return {
        account: toAccountMessage(
          viewOf(await commands.load(accounts(call), caller.tenantId, requireId("id", request.id))),
        ),
      };
    },

    async listAccounts(request, call) {
      const { caller } = call;
      const pageSize = pageSizeOf(request.pageSize);
      const filter: AccountFilter = listFilterOf(request);
      const afterId = decodePageToken(methods.listAccounts, request.pageToken, caller.tenantId, filter);
      const rows = await accounts(call).list(caller.tenantId, filter, afterId, pageSize + 1);
      const { items, nextPageToken } = pageOf(methods.listAccounts, rows, pageSize, caller.tenantId, filter);
      return { accounts: items.map((a) => toAccountMessage(viewOf(a))), nextPageToken };
    },

    async createAccount(request, call) {
      const { caller } = call;
      const fingerprinted = await withoutSecrets(caller, request, ["initialPassword"]);
      return commands.run(call, methods.createAccount, fingerprinted, async ({ accounts: repo }) => {
        const roles = roleNamesOf(request.roles);
        const draft = draftAccount({ ...request, id: uuidv7(), tenantId: caller.tenantId, roles });
        requireHeldRoles(caller.roles, draft.roles, "the new account");
        const created = createAccount(draft, await hashPassword(request.initialPassword), nowIso());
        await repo.insert(created);
        return { account: toAccountMessage(viewOf(created)) };
      });
    },

    async changePassword(request, call) {
      const { caller, access } = call;
      // Before anything else: a stranger's guesses must not count against (and lock) the account.
      const own = isOwnAccount(caller, request.id);
      access.check(own);
      const { currentPassword, newPassword } = request;
      const id = requireId("id", request.id);
      const fingerprinted = await withoutSecrets(caller, request, ["currentPassword", "newPassword"]);
      const changer = own ? ({ kind: "own" } as const) : ({ kind: "reset", callerRoles: caller.roles } as const);
      const ends = () => (own ? "password_changed" : "password_reset");
      let wrongPasswordFor: Account | undefined;
      try {
        const changed = await change(
          call,
          methods.changePassword,
          fingerprinted,
          id,
          request.etag,
          async (current) => {
            const { verifyCurrentPassword } = checkPasswordChange(current, request, changer);
            // Like a sign-in: during a wait of the throttle, refused unchecked and uncounted.
            const proof = verifyCurrentPassword && (await checkPassword(current, currentPassword, throttle));
            if (proof && !proof.matches) {
              if (proof.counts) wrongPasswordFor = current;
              throw currentPasswordIncorrect();
            }
            return changePassword(current, await hashPassword(newPassword), nowIso());
          },
          ends,
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
        if (wrongPasswordFor) await settleVerification(db, wrongPasswordFor, false, throttle);
        throw error;
      }
    },

    assignRoles(request, call) {
      const { caller, access } = call;
      access.check(isOwnAccount(caller, request.id));
      const id = requireId("id", request.id);
      return change(
        call,
        methods.assignRoles,
        request,
        id,
        request.etag,
        (current) => assignRoles(current, roleNamesOf(request.roles), caller.roles, nowIso()),
        rolesChanged,
      );
    },

    disableAccount(request, call) {
      const { caller, access } = call;
      access.check(isOwnAccount(caller, request.id));
      const id = requireId("id", request.id);
      const disabled = (current: Account) => {
        requireMayDisable(caller.roles, current);
        return disableAccount(current, nowIso());
      };
      return change(call, methods.disableAccount, request, id, request.etag, disabled, () => "account_disabled");
    },

    enableAccount(request, call) {
      const { caller, access } = call;
      access.check(isOwnAccount(caller, request.id));
      const id = requireId("id", request.id);
      return change(call, methods.enableAccount, request, id, request.etag, (current) => {
        requireAdministers(caller.roles, current);
        return enableAccount(current, nowIso());
      });
    },

    verifyCredentials(request, { caller }) {
      // Not bounded by the call: a caller that hangs up after the password
      // check must not escape the failed-attempt count.
      return verifyCredentials(db, caller.tenantId, request, throttle);
    },
  };
}
