import type { Caller } from "../support/callers.js";

/** What every aggregate root's message carries. */
export interface Aggregate {
  id: string;
  etag: string;
}

/** A response as the generated client answers it: the aggregate sits in the field the adapter names. */
export type Answer = object;

/** The request id and etag a command is sent with. */
export interface Key {
  requestId: string;
  etag: string;
}

/** One etag-carrying command of the context's service. */
export interface Command<T extends Aggregate> {
  /** The gRPC method, as test names show it. */
  method: string;
  /** "required": an empty etag is refused like a stale one; "optional": an empty etag skips the check. */
  etag: "required" | "optional";
  /** Calls the command on `target`; `variant` picks another payload (0 is the default one). */
  run(target: T, caller: Caller, key: Key, variant?: number): Promise<Answer>;
}

/** A command whose empty etag is refused like a stale one. */
export function required<T extends Aggregate>(method: string, run: Command<T>["run"]): Command<T> {
  return { method, etag: "required", run };
}

/** A command whose empty etag skips the check (a stale one is still refused). */
export function optional<T extends Aggregate>(method: string, run: Command<T>["run"]): Command<T> {
  return { method, etag: "optional", run };
}

/** One page of a List call. */
export interface Page<T> {
  items: T[];
  nextPageToken: string;
}

/**
 * How the convention suite drives one context: its server, one create call,
 * Get, BatchGet when it has one, List with a filter, and its etag-carrying
 * commands. Everything goes through the generated client over a real socket.
 */
export interface ContextUnderTest<T extends Aggregate, Create extends { requestId: string }, Filter> {
  /** The aggregate's field in every response of the service (`employee`, `leaveAccount`, ...). */
  field: string;
  /** The ErrorInfo reason of NOT_FOUND on another tenant's aggregate (`EMPLOYEE_NOT_FOUND`, ...). */
  notFoundReason: string;
  /** A valid create request with a fresh request id; every aggregate it creates matches `filter`. */
  createRequest(): Create;
  /** The same request id with another payload, one request per field worth trying. */
  otherPayloads(request: Create): Create[];
  create(request: Create, caller?: Caller): Promise<Answer>;
  /** An aggregate every command in `commands` can act on (by default the one a create answers). */
  fixture?(caller: Caller): Promise<T>;
  get(id: string, caller?: Caller): Promise<T>;
  batchGet?(ids: string[], caller: Caller): Promise<{ found: T[]; notFoundIds: string[] }>;
  /** Other reads of one aggregate by its id (e.g. its history): another tenant gets NOT_FOUND there too. */
  readsById?: { method: string; call(id: string, caller: Caller): Promise<unknown> }[];
  list(caller: Caller | undefined, page: { pageSize: number; pageToken: string }, filter?: Filter): Promise<Page<T>>;
  /** A filter every created aggregate matches. */
  filter: Filter;
  /** Filters other than `filter` (and other than none): a page token of `filter` is refused with each. */
  otherFilters: Filter[];
  /** A command that can run again on the state it leads to, with distinct payloads per variant. */
  change: Command<T>;
  /** Every other etag-carrying command. */
  commands: Command<T>[];
  stop(): Promise<void>;
}

export interface ContextAdapter<T extends Aggregate, Create extends { requestId: string }, Filter> {
  /** The context's name, as its proto package, folder and test files spell it. */
  context: string;
  /** The aggregate as test names say it ("employee", "leave account"). */
  noun: string;
  start(): Promise<ContextUnderTest<T, Create, Filter>>;
}

/** The suite sees every context through this erased type. */
export type AnyContext = ContextUnderTest<Aggregate, { requestId: string }, unknown>;

/** The aggregate an answer carries, in the context's field. */
export function aggregateOf(context: AnyContext, answer: Answer): Aggregate {
  const aggregate = (answer as Record<string, Aggregate | undefined>)[context.field];
  if (aggregate === undefined) throw new Error(`the answer carries no ${context.field}`);
  return aggregate;
}

/** A new aggregate of the caller's tenant, on which every command can act. */
export async function arrange(context: AnyContext, caller: Caller): Promise<Aggregate> {
  if (context.fixture) return context.fixture(caller);
  return aggregateOf(context, await context.create(context.createRequest(), caller));
}

/** Everything the caller's tenant can see through List: the state a refused call must leave as it was. */
export async function everything(context: AnyContext, caller: Caller): Promise<Aggregate[]> {
  const all: Aggregate[] = [];
  let pageToken = "";
  do {
    const page = await context.list(caller, { pageSize: 200, pageToken });
    all.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== "");
  return all;
}

/** Splits settled calls into the answers of the winners and the errors of the losers. */
export function settled<A>(outcomes: PromiseSettledResult<A>[]): { won: A[]; lost: unknown[] } {
  return {
    won: outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : [])),
    lost: outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : [])),
  };
}
