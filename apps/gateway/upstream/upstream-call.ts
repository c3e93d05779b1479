import {
  type DescMessage,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  fromBinary,
  type Message,
  toBinary,
} from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { isAbortError } from "abort-controller-x";
import { ClientError, Metadata } from "nice-grpc";
import { Any, type ErrorDetails, RichClientError } from "nice-grpc-error-details";
import { AUTHORIZATION_HEADER, REQUEST_ID_HEADER } from "../../../runtime/client/call-headers.js";
import type { ClientPolicy } from "../../../runtime/client/client-policy.js";
import { createServiceClient, openChannel, type ServiceClient } from "../../../runtime/client/service-client.js";
import { GOOGLE_RPC } from "../http/readable-details.js";

type Method = DescMethodUnary<DescMessage, DescMessage>;
type StreamMethod = DescMethodServerStreaming<DescMessage, DescMessage>;
type Bytes = Uint8Array;

// Messages cross as bytes, in a definition of the ts-proto form: nice-grpc
// passes on a ts-proto definition's method options (the idempotency level its
// retry middleware reads) but empties a grpc-js style one's, so an upstream
// described by paths and serializers never retried a safe call.
const RawBytes = { encode: (b: Bytes) => ({ finish: () => b }), decode: (b: Bytes) => b };

/** The methods of one upstream service as nice-grpc sees them: keyed by path, raw bytes both ways, and the contract's idempotency level. */
type RawDefinition = {
  name: string;
  fullName: string;
  methods: Record<
    string,
    {
      name: string;
      requestType: typeof RawBytes;
      requestStream: false;
      responseType: typeof RawBytes;
      // Typed as the unary calls are made; a server stream's entry says true (upstream-stream.ts calls it as one).
      responseStream: false;
      options: { idempotencyLevel?: "NO_SIDE_EFFECTS" | "IDEMPOTENT" };
    }
  >;
};

/** A client of one application server, through the platform's own client stack (runtime/client/service-client.ts). */
export type UpstreamClient = ServiceClient<RawDefinition> & { close(): void };

/**
 * A client of the application server at `target` for `methods`, made the way
 * the apps make theirs: round-robin over what the name resolves to (every
 * replica), the platform's deadline (sent on as `x-deadline-ms`), retries
 * with backoff for methods the contract marks NO_SIDE_EFFECTS or IDEMPOTENT
 * (on the next replica), client-side throttling while the server refuses
 * for overload, and a bound on calls in flight. Messages cross as bytes: the
 * edge encodes what Connect decoded and decodes the answer for Connect to
 * encode; grpc-js does no work of its own on them. Server streams go on a
 * channel with connections of its own (see openChannel), so that live
 * streams never hold unary calls back.
 */
export function upstreamClient(
  target: string,
  methods: readonly (Method | StreamMethod)[],
  policy: ClientPolicy,
): UpstreamClient {
  // One definition per service and kind of call, each method keyed by its path.
  const definitions = new Map<string, RawDefinition>();
  for (const method of methods) {
    const streaming = method.methodKind === "server_streaming";
    const fullName = method.parent.typeName;
    const key = `${fullName} ${streaming ? "stream" : "unary"}`;
    const definition = definitions.get(key) ?? { name: method.parent.name, fullName, methods: {} };
    definitions.set(key, definition);
    const level =
      method.idempotency === MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS
        ? "NO_SIDE_EFFECTS"
        : method.idempotency === MethodOptions_IdempotencyLevel.IDEMPOTENT
          ? "IDEMPOTENT"
          : undefined;
    definition.methods[`/${fullName}/${method.name}`] = {
      ...{ name: method.name, requestType: RawBytes, requestStream: false, responseType: RawBytes },
      responseStream: streaming as false,
      options: level === undefined ? {} : { idempotencyLevel: level },
    };
  }
  const channel = openChannel(target, { balancing: policy.balancing });
  const streamChannel = openChannel(target, { ownConnections: true, balancing: policy.balancing });
  const client = {} as ServiceClient<RawDefinition>;
  for (const [key, definition] of definitions) {
    Object.assign(client, createServiceClient(definition, key.endsWith("stream") ? streamChannel : channel, policy));
  }
  return Object.assign(client, {
    close() {
      channel.close();
      streamChannel.close();
    },
  });
}

/** What crosses the hop besides the message: the caller's token, the request id, and the budget. */
export interface Hop {
  authorization: string | null;
  requestId: string;
  budgetMs: number;
  signal: AbortSignal;
}

/**
 * Calls `method` upstream with the decoded request and answers its reply.
 * The deadline goes as grpc-timeout and as the platform's absolute
 * `x-deadline-ms`, which the servers read (call-scope.ts) and pass on. An
 * upstream error is raised as `failed` makes it for the client
 * (upstream-failures.ts).
 */
export async function callUpstream(
  client: UpstreamClient,
  method: Method,
  request: Message,
  hop: Hop,
  failed: (error: ConnectError) => ConnectError,
): Promise<Message> {
  const metadata = Metadata().set(REQUEST_ID_HEADER, hop.requestId);
  if (hop.authorization !== null) metadata.set(AUTHORIZATION_HEADER, hop.authorization);
  const call = client[`/${method.parent.typeName}/${method.name}`];
  if (call === undefined) throw new Error(`${method.name} is not a method of this upstream`);
  try {
    const answer = await call(toBinary(method.input, request), {
      metadata,
      deadline: new Date(Date.now() + hop.budgetMs),
      signal: hop.signal,
    });
    return fromBinary(method.output, answer);
  } catch (error) {
    throw failed(connectErrorOf(error, hop.signal));
  }
}

/**
 * A nice-grpc failure in Connect's terms, for upstream-failures.ts: the code
 * (gRPC's and Connect's numbers are the same), the upstream's message, its
 * google.rpc details as type and bytes, and `grpc-status` among the
 * metadata when the upstream is known to have answered. grpc-js does not
 * tell a status it made itself (a refused connection, a reset stream) from
 * one the server sent: an answer with details, or with a code no transport
 * makes up, is the server's.
 */
export function connectErrorOf(error: unknown, signal: AbortSignal): ConnectError {
  // Connect aborts the handler's signal with why (the client's timeout, or the client gone).
  if (isAbortError(error)) return ConnectError.from(signal.aborted ? signal.reason : error, Code.Canceled);
  if (!(error instanceof ClientError)) return ConnectError.from(error);
  const details = error instanceof RichClientError ? error.extra.map(detailOf) : [];
  const code = error.code as number as Code;
  const answered = details.length > 0 || !TRANSPORT_CODES.has(code);
  const metadata = answered ? { "grpc-status": String(code) } : undefined;
  // grpc-js tells the system error (ECONNREFUSED, ENOTFOUND) only in its text: kept as the cause for the log.
  const errno = answered ? undefined : /\b(E[A-Z]{3,})\b/.exec(error.details)?.[1];
  const cause = errno === undefined ? undefined : Object.assign(new Error(error.details), { code: errno });
  const failure = new ConnectError(error.details, code, metadata, undefined, cause);
  failure.details.push(...details);
  return failure;
}

/** Codes grpc-js also raises on its own, for a call that got no status from the server. */
const TRANSPORT_CODES = new Set([Code.Unavailable, Code.Internal, Code.Unknown, Code.DeadlineExceeded, Code.Canceled]);

/** A decoded google.rpc detail back to type and bytes. */
function detailOf(detail: ErrorDetails): { type: string; value: Uint8Array } {
  if (detail.$type === Any.$type) {
    const any = detail as Any;
    return { type: any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1), value: any.value };
  }
  const codec = GOOGLE_RPC.get(detail.$type);
  if (codec === undefined) return { type: detail.$type, value: new Uint8Array() };
  return { type: detail.$type, value: codec.encode(detail as never).finish() };
}
