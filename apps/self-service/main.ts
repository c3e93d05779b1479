import { readInt, readRuntimeConfig } from "../../runtime/config.js";
import { stopOnSignals } from "../../runtime/server/grpc-server.js";
import { createLogger } from "../../runtime/server/logger.js";
import { startSelfServiceServer } from "./self-service-server.js";

// Process entry point of the self-service application service; configuration in the README.
const config = readRuntimeConfig();
const logger = createLogger("self-service", config.logLevel);
const server = await startSelfServiceServer({
  port: readInt(process.env, "SELF_SERVICE_PORT", 50057),
  peopleTarget: process.env.SELF_SERVICE_PEOPLE_TARGET ?? "127.0.0.1:50051",
  timeoffTarget: process.env.SELF_SERVICE_TIMEOFF_TARGET ?? "127.0.0.1:50055",
  config,
  logger,
});
stopOnSignals(logger, () => server.stop());
