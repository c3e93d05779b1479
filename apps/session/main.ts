import { loadTokenSigner } from "../../runtime/auth/token-signer.js";
import { readInt, readRequired, readRuntimeConfig } from "../../runtime/config.js";
import { stopOnSignals } from "../../runtime/server/grpc-server.js";
import { createLogger } from "../../runtime/server/logger.js";
import { startSessionServer } from "./session-server.js";

// Process entry point of the session application service; configuration in the README.
const config = readRuntimeConfig();
const logger = createLogger("session", config.logLevel);
const server = await startSessionServer({
  port: readInt(process.env, "SESSION_PORT", 50056),
  identityTarget: process.env.SESSION_IDENTITY_TARGET ?? "127.0.0.1:50053",
  signer: await loadTokenSigner(readRequired(process.env, "AUTH_SIGNING_KEY_FILE"), process.env),
  accessTokenSeconds: readInt(process.env, "SESSION_ACCESS_TOKEN_SECONDS", 900),
  config,
  logger,
});
stopOnSignals(logger, () => server.stop());
