import http2 from "node:http2";

/** What a server answered a raw call: its gRPC status and message (from trailers, or headers when trailers-only). */
export interface RawAnswer {
  status: number;
  message: string;
}

/**
 * One unary gRPC call made by hand over node:http2, as any client could send
 * it: our client's caps and headers play no part. `body` is the request's
 * protobuf bytes; the frame is the 5-byte prefix (uncompressed, length) and them.
 */
export async function rawUnaryCall(
  address: string,
  path: string,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<RawAnswer> {
  const session = http2.connect(`http://${address}`);
  try {
    return await new Promise<RawAnswer>((resolve, reject) => {
      session.once("error", reject);
      const stream = session.request({
        ":method": "POST",
        ":path": path,
        "content-type": "application/grpc",
        te: "trailers",
        ...headers,
      });
      let answer: RawAnswer | undefined;
      const read = (fields: http2.IncomingHttpHeaders) => {
        const status = fields["grpc-status"];
        if (typeof status === "string") {
          answer = { status: Number(status), message: decodeURIComponent(String(fields["grpc-message"] ?? "")) };
        }
      };
      stream.on("response", read);
      stream.on("trailers", read);
      stream.on("data", () => {});
      stream.on("error", reject);
      stream.on("close", () =>
        answer ? resolve(answer) : reject(new Error(`stream closed without a status (RST code ${stream.rstCode})`)),
      );
      const frame = Buffer.alloc(5 + body.length);
      frame.writeUInt32BE(body.length, 1);
      frame.set(body, 5);
      stream.end(frame);
    });
  } finally {
    session.close();
  }
}
