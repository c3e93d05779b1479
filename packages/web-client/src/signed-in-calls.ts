import { Code, ConnectError, type Interceptor, type StreamResponse } from "@connectrpc/connect";
import type { SignIn } from "./sign-in.js";

/** The header the gateway takes a client's request id from (kept when short and plain) and answers it in. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * What every call through `platform.client(...)` carries and how it
 * recovers: the sign-in's access token as a bearer token; a request id of
 * its own (unless the caller set one), which the gateway's and every
 * service's logs show; and, when the gateway refuses the token
 * (UNAUTHENTICATED: it expired), one refresh of the sign-in and one retry
 * of a unary call with the new token, under the same request id. A stream
 * is not replayed (its messages may be under way): the refresh happens, and
 * the caller opens it again.
 */
export function signedInCalls(signIn: SignIn): Interceptor {
  return (next) => async (request) => {
    if (!request.header.has(REQUEST_ID_HEADER)) request.header.set(REQUEST_ID_HEADER, newRequestId());
    const sent = signIn.accessToken();
    if (sent !== undefined) request.header.set("authorization", `Bearer ${sent}`);
    try {
      const response = await next(request);
      return response.stream && sent !== undefined ? refreshingOnRefusal(response, signIn, sent) : response;
    } catch (error) {
      if (sent === undefined || !refused(error)) throw error;
      const fresh = await signIn.refreshAfter(sent);
      if (fresh === undefined || request.stream) throw error;
      request.header.set("authorization", `Bearer ${fresh}`);
      return next(request);
    }
  };
}

function refused(error: unknown): boolean {
  return error instanceof ConnectError && error.code === Code.Unauthenticated;
}

/** A stream whose end with UNAUTHENTICATED (the Connect protocol tells it in the stream) refreshes the sign-in first. */
function refreshingOnRefusal(response: StreamResponse, signIn: SignIn, sent: string): StreamResponse {
  async function* messages() {
    try {
      yield* response.message;
    } catch (error) {
      if (refused(error)) await signIn.refreshAfter(sent).catch(() => undefined);
      throw error;
    }
  }
  return { ...response, message: messages() };
}

/** 128 random bits in hex. crypto.randomUUID would do, but browsers offer it only on HTTPS pages. */
function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
