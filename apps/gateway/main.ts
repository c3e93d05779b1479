import { stopOnSignals } from "../../runtime/server/grpc-server.js";
import { startProcess } from "../../runtime/server/process-start.js";
import { readGatewayConfig } from "./gateway-config.js";
import { startGateway } from "./gateway-server.js";

// Process entry point of the edge gateway; configuration in docs/configuration.md.
const { config, logger, settings } = startProcess("gateway", readGatewayConfig);
const gateway = await startGateway({ gateway: settings, config, logger });
stopOnSignals(logger, () => gateway.stop());
