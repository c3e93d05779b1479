import type { IncomingMessage, ServerResponse } from "node:http";
import type { Message } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import type { ExposedMethod, ExposedStream } from "../exposed-methods.js";
import type { EdgeRequest } from "../http/request-identity.js";
import type { Upstream } from "../upstream/upstreams.js";
import type { NamedRoute } from "../versions/api-versions.js";

/** A call before Connect reads its body: its HTTP request (whose path a step may rewrite), its answer's headers, what the edge knows. */
export interface ArrivingCall {
  request: IncomingMessage;
  response: ServerResponse;
  edge: EdgeRequest;
  /** What the path names, once the route step has looked it up; undefined: no route (Connect answers 404). */
  route?: NamedRoute;
}

/** A call Connect has decoded: its method, its message, Connect's context, what the edge knows, and where it goes. */
export interface DecodedCall {
  /** The method; a server stream runs the steps around its opening (upstream/upstream-stream.ts). */
  exposed: ExposedMethod | ExposedStream;
  message: Message;
  context: HandlerContext;
  edge: EdgeRequest;
  upstream: Upstream;
  /** Set by the budget step: the call's budget, and whether it is the method's whole configured one. */
  budget?: { ms: number; full: boolean };
  /** Set by the isolation step when the call leaves: the budget still left for the upstream. */
  leftMs?: number;
}

/**
 * One per-call step of the edge. Connect's own `Interceptor` sees a call
 * only once its body is decoded, and not the client's timeout
 * (`HandlerContext.timeoutMs`), so the edge has this small type instead:
 * a step either acts before the body is read (headers and path only: it may
 * rewrite the path or refuse, and a refusal then costs no decoding) or wraps
 * the decoded call (`next` runs the steps after it, then the upstream call).
 */
export type EdgeInterceptor =
  | { readonly step: string; readonly beforeBody: (call: ArrivingCall) => Promise<void> | void }
  | { readonly step: string; readonly around: (call: DecodedCall, next: () => Promise<Message>) => Promise<Message> };

/** The chain as the HTTP server and the routes run it. */
export interface EdgeChain {
  /** Runs the before-body steps in order (http-edge.ts, before Connect reads the body). */
  beforeBody(request: IncomingMessage, response: ServerResponse, edge: EdgeRequest): Promise<void>;
  /** Runs the decoded call through the wrapping steps, the first outermost, and `send` innermost. */
  around(call: DecodedCall, send: () => Promise<Message>): Promise<Message>;
}

/** Composes `steps` in their order; a before-body step after a wrapping one is a mistake in the chain, refused at start. */
export function composeChain(steps: readonly EdgeInterceptor[]): EdgeChain {
  const firstAround = steps.findIndex((s) => "around" in s);
  const late = firstAround < 0 ? undefined : steps.slice(firstAround).find((s) => "beforeBody" in s);
  if (late !== undefined) throw new Error(`edge chain: ${late.step} runs before the body is read: list it first`);
  const before = steps.flatMap((s) => ("beforeBody" in s ? [s.beforeBody] : []));
  const around = steps.flatMap((s) => ("around" in s ? [s.around] : []));
  return {
    async beforeBody(request, response, edge) {
      const call: ArrivingCall = { request, response, edge };
      for (const step of before) await step(call);
    },
    around(call, send) {
      const run = (at: number): Promise<Message> => {
        const step = around[at];
        return step === undefined ? send() : step(call, () => run(at + 1));
      };
      return run(0);
    },
  };
}
