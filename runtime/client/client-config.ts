import { atLeastOne, configSlice, decimal, type Env } from "../config.js";
import type { ThrottlePolicy } from "./overload-throttle.js";

/** How the platform's clients hold back calls while a server refuses them for overload (overload-throttle.ts). */
export const clientVariables = configSlice("apps (their clients)", {
  CLIENT_THROTTLE_RATIO: decimal(
    1.2,
    "while a server refuses calls for overload, a client sends it about this many calls per call it accepts and refuses the rest itself; `0` turns it off",
  ),
  CLIENT_THROTTLE_WINDOW_SECONDS: atLeastOne(10, "how far back a client counts its calls and the server's accepts"),
});

export function readClientThrottle(env?: Env): ThrottlePolicy {
  const v = clientVariables.read(env);
  return { ratio: v.CLIENT_THROTTLE_RATIO, windowSeconds: v.CLIENT_THROTTLE_WINDOW_SECONDS };
}
