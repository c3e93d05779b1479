import { Outbox } from "../events/outbox.js";
import { claimKey, completeKey, idempotencyKey, replayOf } from "./idempotency.js";
import type { Sql, SqlDatabase } from "./sql.js";

/** A method of a generated service definition: its name, and the codec of its response. */
export interface CommandMethod<Response> {
  readonly name: string;
  readonly responseType: {
    toJSON(message: Response): unknown;
    // biome-ignore lint/suspicious/noExplicitAny: ts-proto's own signature.
    fromJSON(object: any): Response;
  };
}

/** The call a command runs for: its tenant (and caller's employee), and the signal that ends its work when the caller goes. */
export interface TenantCall {
  readonly caller: { readonly tenantId: string; readonly employeeId?: string };
  readonly signal: AbortSignal;
}

type Outcome<Response> = { response?: Response; replay?: { fingerprint: string; response: unknown } };

/**
 * The one place that owns a command's life: the request id's idempotency,
 * the transaction, and the answer to a repeat. A command runs at most once
 * per (tenant, request id): its transaction first claims the key, so a
 * concurrent repeat waits on it and then answers the first call's response;
 * a later repeat answers it without running anything. What is replayed is the
 * protobuf response in its JSON form, exactly what the first call answered,
 * so domain types may change freely. A refused command (a domain error) rolls
 * back its claim: a retry runs again on the state it then finds.
 *
 * `Store` is what the work needs bound to the transaction (the context's
 * repository); the work loads, checks versions or takes row locks through it,
 * runs the domain and saves. The store is also given the transaction's
 * outbox (runtime/events/outbox.ts): a repository records there the domain
 * events of what it saves, so an event is written with its change and only
 * with it (a refusal rolls both back; a replay runs no work, so records none). A call that goes away (cancelled, past its
 * deadline) cancels its statement and rolls back: nothing is stored, and a
 * retry with the same request id runs afresh.
 */
export class CommandPipeline<Store> {
  constructor(
    private readonly db: SqlDatabase,
    private readonly storeOf: (tx: Sql, outbox: Outbox) => Store,
  ) {}

  async run<Response>(
    call: TenantCall,
    method: CommandMethod<Response>,
    request: { requestId: string },
    work: (store: Store) => Promise<Response>,
  ): Promise<Response> {
    const key = idempotencyKey(call.caller.tenantId, method.name, request);
    const outcome = await this.db.forCall(call.signal).transaction(async (tx): Promise<Outcome<Response>> => {
      const claim = await claimKey(tx, key);
      if (!claim.claimed) return "fingerprint" in claim ? { replay: claim } : {};
      const { tenantId, employeeId } = call.caller;
      const outbox = new Outbox(tx, { tenantId, requestId: request.requestId, employeeId });
      const response = await work(this.storeOf(tx, outbox));
      await completeKey(tx, key, method.responseType.toJSON(response));
      return { response };
    });
    if (outcome.response !== undefined) return outcome.response;
    if (outcome.replay !== undefined) return method.responseType.fromJSON(replayOf(key, outcome.replay));
    // The key's holder vanished between our wait and our read (purged by
    // retention a moment after it expired): nothing holds it now, run again.
    return this.run(call, method, request, work);
  }
}
