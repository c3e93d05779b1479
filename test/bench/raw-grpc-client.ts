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
  /** Resolves on grpc-status OK; rejects with a ClientError carrying the server's status and message. */
  unary(path: string, frame: Buffer, deadlineMs: number): Promise<void>;
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

export function openRawChannel(address: string, metadata: Record<string, string>): RawChannel {
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
        const stream = session.request({
          ...{ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" },
          ...{ "grpc-timeout": `${deadlineMs}m`, "x-deadline-ms": String(Date.now() + deadlineMs), ...metadata },
        });
        let status: string | undefined;
        let message = "";
        const read = (headers: Record<string, unknown>) => {
          if (headers["grpc-status"] === undefined) return;
          status = String(headers["grpc-status"]);
          message = decodeURIComponent(String(headers["grpc-message"] ?? ""));
        };
        stream.on("response", read);
        stream.on("trailers", read);
        stream.on("data", () => {});
        stream.on("error", () => {});
        stream.on("close", () => {
          const code = status === undefined ? Status.UNAVAILABLE : Number(status);
          if (code === Status.OK) resolve();
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
