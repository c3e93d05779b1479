import { portOf } from "../../runtime/platform.js";
import { stopOnSignals } from "../../runtime/server/grpc-server.js";
import { startProcess } from "../../runtime/server/process-start.js";
import { selfServiceVariables } from "./self-service-config.js";
import { startSelfServiceServer } from "./self-service-server.js";

// Process entry point of the self-service application service; configuration in docs/configuration.md.
const { config, logger, settings } = startProcess("self-service", (env) => {
  const targets = selfServiceVariables.read(env);
  return {
    port: portOf("self-service", env),
    peopleTarget: targets.SELF_SERVICE_PEOPLE_TARGET,
    timeoffTarget: targets.SELF_SERVICE_TIMEOFF_TARGET,
    inboxTarget: targets.SELF_SERVICE_INBOX_TARGET,
  };
});
const server = await startSelfServiceServer({ ...settings, config, logger });
stopOnSignals(logger, () => server.stop());
