// A unary method over raw bytes, for the echo floors: no protobuf, no
// middleware, no I/O. Both grpc-js (server) and nice-grpc (server and client)
// accept this grpc-js style definition with its own pass-through serializers.

const bytes = (b: Buffer) => b;

export const EchoDefinition = {
  echo: {
    path: "/bench.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: bytes,
    requestDeserialize: bytes,
    responseSerialize: bytes,
    responseDeserialize: bytes,
    options: {},
  },
} as const;

/** The port an echo server listens on: given by the bench, never a default. */
export function echoPort(): number {
  const port = Number(process.env.ECHO_PORT);
  if (!Number.isInteger(port) || port <= 0) throw new Error("ECHO_PORT must be set");
  return port;
}
