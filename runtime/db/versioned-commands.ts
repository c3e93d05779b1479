import { assertEtag } from "../domain/etag.js";
import type { Outbox } from "../events/outbox.js";
import { type CommandMethod, CommandPipeline, type TenantCall } from "./commands.js";
import type { Sql, SqlDatabase } from "./sql.js";

/**
 * What a versioned change needs from a context's repository, bound to the
 * command's transaction: the aggregate by id (with a row lock, if the context
 * takes one), and an update that refuses when the stored version is no longer
 * `current`'s (optimistic concurrency: ABORTED, never a silent overwrite).
 */
export interface VersionedStore<Aggregate extends { version: number }, Changed = Aggregate> {
  get(tenantId: string, id: string): Promise<Aggregate | undefined>;
  update(changed: Changed, current: NoInfer<Aggregate>): Promise<void>;
}

/** How a context names its aggregate to the versioned change. */
export interface AggregateOf<Store, Aggregate extends { version: number }, Changed, Message> {
  /** The repository's versioned store within the transaction's store (often the store itself). */
  store(store: Store): VersionedStore<Aggregate, Changed>;
  /** The subject an etag mismatch names ("employees/<id>"). */
  subject(id: string): string;
  /** The context's own not-found error, thrown when no aggregate has the id in the caller's tenant. */
  missing(id: string): Error;
  /** The response of a change: the changed aggregate as protobuf. */
  message(changed: Changed): Message;
}

/** The aggregate a command acts on; an empty etag passes only where the contract makes it optional. */
export interface ChangeTarget {
  id: string;
  etag: string;
  etagRequired?: boolean;
}

/**
 * The command pipeline (commands.ts) with its one common step written once:
 * load → check etag → apply the domain command → versioned update → map. A
 * context gives its store and how to name its aggregate; its handlers give
 * only the domain command.
 */
export class VersionedCommands<
  Store,
  Aggregate extends { version: number },
  Changed = Aggregate,
  Message = unknown,
> extends CommandPipeline<Store> {
  constructor(
    db: SqlDatabase,
    storeOf: (tx: Sql, outbox: Outbox) => Store,
    private readonly aggregate: AggregateOf<Store, Aggregate, Changed, Message>,
  ) {
    super(db, storeOf);
  }

  /**
   * The aggregate by id from any store that reads it (the command's, or a
   * read outside one, as Get does), or the context's own not-found error.
   */
  readonly load = async (
    store: Pick<VersionedStore<Aggregate, Changed>, "get">,
    tenantId: string,
    id: string,
  ): Promise<Aggregate> => {
    const found = await store.get(tenantId, id);
    if (found === undefined) throw this.aggregate.missing(id);
    return found;
  };

  /** The changed aggregate as protobuf, for a handler that answers it after work of its own. */
  readonly message = (changed: Changed): Message => this.aggregate.message(changed);

  /** The common change: its answer is the changed aggregate's message. */
  readonly change = (
    call: TenantCall,
    method: CommandMethod<Message>,
    request: { requestId: string },
    id: string,
    etag: string,
    apply: (current: Aggregate, store: Store) => Changed | Promise<Changed>,
  ): Promise<Message> => this.changeWith(call, method, request, { id, etag }, apply, this.aggregate.message);

  /** A change with its own answer, or work done with the change (`respond` runs in the same transaction). */
  changeWith<Response>(
    call: TenantCall,
    method: CommandMethod<Response>,
    request: { requestId: string },
    target: ChangeTarget,
    apply: (current: Aggregate, store: Store) => Changed | Promise<Changed>,
    respond: (changed: Changed, current: Aggregate, store: Store) => Response | Promise<Response>,
  ): Promise<Response> {
    const { id, etag, etagRequired = true } = target;
    return this.run(call, method, request, async (store) => {
      const aggregates = this.aggregate.store(store);
      const current = await this.load(aggregates, call.caller.tenantId, id);
      if (etagRequired || etag !== "") assertEtag(this.aggregate.subject(id), current.version, etag);
      const changed = await apply(current, store);
      await aggregates.update(changed, current);
      return respond(changed, current, store);
    });
  }
}
