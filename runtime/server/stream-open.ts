import type { CallContext } from "nice-grpc-common";

/**
 * The response header a live stream (a watch) sends as soon as it listens,
 * before its first message: a client holding it knows that whatever happens
 * from then on reaches it. An app relaying a data service's stream passes it
 * on when it arrives; the gateway starts its HTTP response on it.
 */
export const STREAM_OPEN_HEADER = "x-stream-open";

/** Sends the stream-open header now (nice-grpc sends no empty header before the first message). */
export function announceStreamOpen(context: Pick<CallContext, "header" | "sendHeader">): void {
  context.header.set(STREAM_OPEN_HEADER, "true");
  context.sendHeader();
}
