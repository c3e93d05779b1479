import { signingVariables } from "../../runtime/auth/auth-config.js";
import { loadTokenSigner } from "../../runtime/auth/token-signer.js";
import { portOf } from "../../runtime/platform.js";
import { stopOnSignals } from "../../runtime/server/grpc-server.js";
import { startProcess } from "../../runtime/server/process-start.js";
import { loginSecretOf } from "./login-password.js";
import { onboardingVariables } from "./onboarding-config.js";
import { startOnboardingServer } from "./onboarding-server.js";

// Process entry point of the onboarding application service; configuration in docs/configuration.md.
const { config, logger, settings } = startProcess("onboarding", (env) => {
  const own = onboardingVariables.read(env);
  return {
    port: portOf("onboarding", env),
    targets: {
      people: own.ONBOARDING_PEOPLE_TARGET,
      identity: own.ONBOARDING_IDENTITY_TARGET,
      timeoff: own.ONBOARDING_TIMEOFF_TARGET,
      talent: own.ONBOARDING_TALENT_TARGET,
      cases: own.ONBOARDING_CASES_TARGET,
      inbox: own.ONBOARDING_INBOX_TARGET,
    },
    pollIntervalMs: own.ONBOARDING_POLL_INTERVAL_MS,
    annualLeaveHalfDays: own.ONBOARDING_ANNUAL_LEAVE_HALF_DAYS,
    retry: { baseMs: own.ONBOARDING_RETRY_BASE_MS, maxMs: own.ONBOARDING_RETRY_MAX_MS },
    signingKeyFile: signingVariables.read(env).AUTH_SIGNING_KEY_FILE,
  };
});
const { signingKeyFile, ...options } = settings;
const signer = await loadTokenSigner(signingKeyFile, process.env);
const server = await startOnboardingServer({
  ...options,
  signer,
  loginSecret: loginSecretOf(signingKeyFile),
  config,
  logger,
});
stopOnSignals(logger, () => server.stop());
