import { type CallContext, ServerError, type ServerMiddlewareCall, Status } from "nice-grpc-common";

/**
 * The most call metadata (names and values, plus 32 bytes a header as HTTP/2
 * counts them) a call may carry: a token, a request id, a deadline and
 * trace headers need a few kilobytes. Node's HTTP/2 hands grpc-js much more
 * (its SETTINGS_MAX_HEADER_LIST_SIZE of 64 KiB is advertised, not enforced),
 * so what lies between is answered here with a status the client can read.
 * Two limits sit below JavaScript, in nghttp2, and close the whole connection
 * before any call exists: one header field whose HPACK-encoded length passes
 * 64 KiB (NGHTTP2_HD_MAX_NV, COMPRESSION_ERROR), and a header block of more
 * than 8 CONTINUATION frames (about 144 KiB encoded, INTERNAL_ERROR). Node
 * offers no setting for either, so no server of ours can answer those with a
 * status; only the sender's own connection is closed.
 */
export const MAX_METADATA_BYTES = 32 * 1024;

/** Refuses a call whose metadata exceeds `maxBytes` with RESOURCE_EXHAUSTED, before anything reads it. */
export function metadataLimit(maxBytes = MAX_METADATA_BYTES) {
  return async function* metadataLimitMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ) {
    const size = metadataBytes(context.metadata);
    if (size > maxBytes) {
      throw new ServerError(
        Status.RESOURCE_EXHAUSTED,
        `the call's metadata (${size} bytes) exceeds the ${maxBytes} bytes this server accepts`,
      );
    }
    return yield* call.next(call.request, context);
  };
}

function metadataBytes(metadata: CallContext["metadata"]): number {
  let size = 0;
  for (const [key, values] of metadata) {
    for (const value of values)
      size += 32 + key.length + (typeof value === "string" ? Buffer.byteLength(value) : value.length);
  }
  return size;
}
