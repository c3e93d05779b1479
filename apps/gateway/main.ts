import { readRuntimeConfig } from "../../runtime/config.js";
import { stopOnSignals } from "../../runtime/server/grpc-server.js";
import { createLogger } from "../../runtime/server/logger.js";
import { readGatewayConfig } from "./gateway-config.js";
import { startGateway } from "./gateway-server.js";

// Process entry point of the edge gateway; configuration in the README.
const config = readRuntimeConfig();
const logger = createLogger("gateway", config.logLevel);
const gateway = await startGateway({ gateway: readGatewayConfig(), config, logger });
stopOnSignals(logger, () => gateway.stop());
