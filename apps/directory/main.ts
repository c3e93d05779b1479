import { readInt, readRuntimeConfig } from "../../runtime/config.js";
import { stopOnSignals } from "../../runtime/server/grpc-server.js";
import { createLogger } from "../../runtime/server/logger.js";
import { startDirectoryServer } from "./directory-server.js";

// Process entry point of the directory application service; configuration in the README.
const config = readRuntimeConfig();
const logger = createLogger("directory", config.logLevel);
const server = await startDirectoryServer({
  port: readInt(process.env, "DIRECTORY_PORT", 50052),
  peopleTarget: process.env.DIRECTORY_PEOPLE_TARGET ?? "127.0.0.1:50051",
  config,
  logger,
});
stopOnSignals(logger, () => server.stop());
