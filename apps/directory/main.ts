import { portOf } from "../../runtime/platform.js";
import { stopOnSignals } from "../../runtime/server/grpc-server.js";
import { startProcess } from "../../runtime/server/process-start.js";
import { directoryVariables } from "./directory-config.js";
import { startDirectoryServer } from "./directory-server.js";

// Process entry point of the directory application service; configuration in docs/configuration.md.
const { config, logger, settings } = startProcess("directory", (env) => ({
  port: portOf("directory", env),
  peopleTarget: directoryVariables.read(env).DIRECTORY_PEOPLE_TARGET,
}));
const server = await startDirectoryServer({ ...settings, config, logger });
stopOnSignals(logger, () => server.stop());
