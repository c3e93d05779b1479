import { createServer } from "nice-grpc";
import { EchoDefinition, echoPort } from "./echo-definition.js";

// Floor: a bare nice-grpc server (no middleware) that answers each call with
// the bytes it received: what nice-grpc adds over grpc-js, and nothing else.

const server = createServer();
server.add(EchoDefinition, { echo: async (request: Buffer) => request });
await server.listen(`127.0.0.1:${echoPort()}`);
process.once("SIGTERM", () => server.shutdown().then(() => process.exit(0)));
