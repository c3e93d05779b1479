import { signingVariables } from "../../runtime/auth/auth-config.js";
import { loadTokenSigner } from "../../runtime/auth/token-signer.js";
import { portOf } from "../../runtime/platform.js";
import { stopOnSignals } from "../../runtime/server/grpc-server.js";
import { startProcess } from "../../runtime/server/process-start.js";
import { sessionVariables } from "./session-config.js";
import { startSessionServer } from "./session-server.js";

// Process entry point of the session application service; configuration in docs/configuration.md.
const { config, logger, settings } = startProcess("session", (env) => {
  const own = sessionVariables.read(env);
  return {
    port: portOf("session", env),
    identityTarget: own.SESSION_IDENTITY_TARGET,
    accessTokenSeconds: own.SESSION_ACCESS_TOKEN_SECONDS,
    signingKeyFile: signingVariables.read(env).AUTH_SIGNING_KEY_FILE,
  };
});
const { signingKeyFile, ...options } = settings;
const signer = await loadTokenSigner(signingKeyFile, process.env);
const server = await startSessionServer({ ...options, signer, config, logger });
stopOnSignals(logger, () => server.stop());
