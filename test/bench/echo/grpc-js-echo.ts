import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from "@grpc/grpc-js";
import { EchoDefinition, echoPort } from "./echo-definition.js";

// Floor: a raw @grpc/grpc-js server (nice-grpc's own transport) that answers
// each call with the bytes it received. @grpc/grpc-js comes with nice-grpc.

const server = new Server();
server.addService(EchoDefinition, {
  echo: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => callback(null, call.request),
});
server.bindAsync(`127.0.0.1:${echoPort()}`, ServerCredentials.createInsecure(), (error) => {
  if (error) throw error;
});
process.once("SIGTERM", () => server.tryShutdown(() => process.exit(0)));
