import { hasExited, killChild, spawnChild, stopChild } from "../../runtime/launch/children.js";
import { waitUntilServing } from "../../runtime/launch/readiness.js";
import { testKeys } from "./callers.js";
import { freePortBelowEphemeral } from "./free-port.js";

const STARTUP_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

/**
 * The self-service app in a process of its own, started from source as
 * `npm run dev` starts it (its own process group), calling the given people
 * and timeoff servers. `freeze()` stops the whole group with SIGSTOP: a real
 * hang, connections open and nothing answered, as a process stuck in a
 * long pause or on a dead host would be. `thaw()` lets it run on.
 */
export async function startSelfServiceProcess(peopleAddress: string, timeoffAddress: string) {
  const port = await freePortBelowEphemeral();
  const child = spawnChild("apps/self-service/main", {
    SELF_SERVICE_PORT: String(port),
    // No metrics: the default port is a running `npm start`'s.
    SELF_SERVICE_METRICS_PORT: "0",
    SELF_SERVICE_PEOPLE_TARGET: peopleAddress,
    SELF_SERVICE_TIMEOFF_TARGET: timeoffAddress,
    AUTH_JWKS_FILE: testKeys.jwksFile,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  });
  // A test process that dies before its cleanup leaves no frozen server behind.
  const orphanGuard = () => killChild(child);
  process.once("exit", orphanGuard);
  const signal = (name: NodeJS.Signals) => {
    if (child.pid !== undefined && !hasExited(child)) process.kill(-child.pid, name);
  };
  const stop = async () => {
    signal("SIGCONT");
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
    freeze: () => signal("SIGSTOP"),
    thaw: () => signal("SIGCONT"),
    stop,
  };
}
