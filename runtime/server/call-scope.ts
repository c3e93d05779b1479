import type { CallContext } from "nice-grpc-common";
import type { Caller } from "../auth/caller.js";

/** What one call carries through the middleware chain: filled in as it is learned. */
export interface CallScope {
  requestId: string;
  deadline: Date | undefined;
  /** Set once the token is verified. */
  caller: Caller | undefined;
  /** The raw bearer token, forwarded unchanged to the next hop. */
  token: string | undefined;
  /** Why the call's token was refused (a stable reason for the log line; the caller is told nothing). */
  refusal?: string;
}

export type ScopedContext = CallContext & { scope: CallScope };
/** The context every business handler receives: the caller is always verified. */
export type AuthenticatedContext = ScopedContext & { caller: Caller };
