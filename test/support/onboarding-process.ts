import type { OnboardingTargets } from "../../apps/onboarding/onboarding-clients.js";
import { hasExited, killChild, spawnChild, stopChild } from "../../runtime/launch/children.js";
import { waitUntilServing } from "../../runtime/launch/readiness.js";
import { testKeys } from "./callers.js";
import { freePortBelowEphemeral } from "./free-port.js";

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

/**
 * The onboarding app in a process of its own, started from source as
 * `npm run dev` starts it (its own process group), with the run's signing
 * key and the given data services. `kill()` is a kill -9 of the whole group:
 * no drain, no goodbye, whatever step it was in.
 */
export async function startOnboardingProcess(targets: OnboardingTargets) {
  const port = await freePortBelowEphemeral();
  const child = spawnChild("apps/onboarding/main", {
    ONBOARDING_PORT: String(port),
    // No metrics: the default port is a running `npm start`'s.
    ONBOARDING_METRICS_PORT: "0",
    ONBOARDING_PEOPLE_TARGET: targets.people,
    ONBOARDING_IDENTITY_TARGET: targets.identity,
    ONBOARDING_TIMEOFF_TARGET: targets.timeoff,
    ONBOARDING_TALENT_TARGET: targets.talent,
    ONBOARDING_CASES_TARGET: targets.cases,
    ONBOARDING_INBOX_TARGET: targets.inbox,
    ONBOARDING_POLL_INTERVAL_MS: "100",
    ONBOARDING_RETRY_BASE_MS: "50",
    ONBOARDING_RETRY_MAX_MS: "500",
    AUTH_JWKS_FILE: testKeys.jwksFile,
    AUTH_SIGNING_KEY_FILE: testKeys.signingKeyFile,
    EVENTS_DATABASE_URL: "",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  });
  const orphanGuard = () => killChild(child);
  process.once("exit", orphanGuard);
  const kill = () => {
    if (child.pid !== undefined && !hasExited(child)) process.kill(-child.pid, "SIGKILL");
  };
  const stop = async () => {
    await stopChild(child, STOP_GRACE_MS);
    process.removeListener("exit", orphanGuard);
  };
  try {
    await waitUntilServing(port, child, STARTUP_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address: `127.0.0.1:${port}`,
    /** kill -9 of the process group; resolves once it has exited. */
    async kill() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      kill();
      if (!hasExited(child)) await exited;
      process.removeListener("exit", orphanGuard);
    },
    stop,
  };
}
