import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { createContextKey } from "@connectrpc/connect";
import { REQUEST_ID_HEADER } from "../../../runtime/client/call-headers.js";
import type { Credentials } from "../chain/edge-authentication.js";
import type { LimitState } from "../limits/rate-limits.js";
import { clientAddress } from "./client-address.js";

/** A client's request id is kept only if it is short and plain: it lands in logs and headers of every hop. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What the edge learns about one HTTP request, shared by the call's handler and its access-log line. */
export interface EdgeRequest {
  requestId: string;
  /** The client's address (client-address.ts): every call is counted against it first, anonymous ones (sign-in) after too. */
  clientAddress: string;
  /** Known once the token is verified. */
  tenantId?: string;
  /** What the token proved, settled once before the body is read (the chain's authentication step). */
  credentials?: Credentials;
  /** The version of the contract that serves the call ("v2"), once the route is resolved. */
  apiVersion?: string;
  /** The tightest of the limits the call was counted against so far, which its RateLimit headers tell. */
  limit?: LimitState;
}

/** How a Connect handler reaches its request's EdgeRequest. */
export const EDGE_REQUEST = createContextKey<EdgeRequest | undefined>(undefined, { description: "edge request" });

/** The request's identity: the client's `x-request-id` when well-formed, else a new one; and the client's address. */
export function identify(request: IncomingMessage, trustedProxies: number): EdgeRequest {
  const given = request.headers[REQUEST_ID_HEADER];
  const requestId = typeof given === "string" && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
  return { requestId, clientAddress: clientAddress(request, trustedProxies) };
}
