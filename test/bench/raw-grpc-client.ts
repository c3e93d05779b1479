import { type ClientHttp2Session, connect } from "node:http2";
import { ClientError, Status } from "nice-grpc";

// A bare gRPC client for the open loop: unary calls as HTTP/2 streams with
// the request already encoded, so that one load process can start several
// times more calls per second than a generated client does (on 2 cores the
// load process, not the server, was the limit). The deadline travels as
// grpc-timeout (the server ends the call when it passes, so the client never
// has to reset streams, which HTTP/2 servers count as abuse) and as
// x-deadline-ms, as our client factory sends it.

export interface RawChannel {
  /**
   * Resolves with the response message (its bytes, without the frame's
   * prefix) on grpc-status OK; rejects with a ClientError carrying the
   * server's status and message. Without `deadlineMs` the call has none.
   */
  unary(path: string, frame: Buffer, deadlineMs?: number): Promise<Buffer>;
  close(): void;
}

/** A length-prefixed gRPC message (uncompressed). */
export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

/**
 * Connections the load is spread over, round-robin, as many clients would:
 * a server lets each connection carry GRPC_MAX_CONCURRENT_STREAMS calls at
 * once (100), and Node queues a connection's further calls on the client,
 * where the server could neither serve nor shed them.
 */
const CONNECTIONS = 16;

export function openRawChannel(address: string, metadata: Record<string, string> = {}): RawChannel {
  const sessions: ClientHttp2Session[] = Array.from({ length: CONNECTIONS }, () => {
    const session = connect(`http://${address}`);
    session.on("error", () => {});
    return session;
  });
  let next = 0;
  return {
    unary(path, frame, deadlineMs) {
      const session = sessions[next++ % sessions.length] as ClientHttp2Session;
      return new Promise((resolve, reject) => {
        const deadline =
          deadlineMs === undefined
            ? {}
            : { "grpc-timeout": `${deadlineMs}m`, "x-deadline-ms": String(Date.now() + deadlineMs) };
        const stream = session.request({
          ...{ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" },
          ...deadline,
          ...metadata,
        });
        let status: string | undefined;
        let message = "";
        const chunks: Buffer[] = [];
        const read = (headers: Record<string, unknown>) => {
          if (headers["grpc-status"] === undefined) return;
          status = String(headers["grpc-status"]);
          message = decodeURIComponent(String(headers["grpc-message"] ?? ""));
        };
        stream.on("response", read);
        stream.on("trailers", read);
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("error", () => {});
        stream.on("close", () => {
          const code = status === undefined ? Status.UNAVAILABLE : Number(status);
          if (code === Status.OK) resolve((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).subarray(5));
          else reject(new ClientError(path, code, status === undefined ? "stream closed without a status" : message));
        });
        stream.end(frame);
      });
    },
    close: () => {
      for (const session of sessions) session.close();
    },
  };
}

/** Several servers' channels as one, each call to the next in turn (as round_robin over their addresses). */
export function roundRobin(channels: readonly RawChannel[]): RawChannel {
  let next = 0;
  return {
    unary: (path, frame, deadlineMs) =>
      (channels[next++ % channels.length] as RawChannel).unary(path, frame, deadlineMs),
    close: () => {
      for (const channel of channels) channel.close();
    },
  };
}
