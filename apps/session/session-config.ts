import { targetVariable } from "../../runtime/client/client-config.js";
import { configSlice, integer } from "../../runtime/config.js";
import { localTarget } from "../../runtime/platform.js";

/** Where the session app finds identity, and the lifetime of the tokens it mints. */
export const sessionVariables = configSlice("session", {
  SESSION_IDENTITY_TARGET: targetVariable(
    localTarget("identity"),
    "where identity is (same forms as `DIRECTORY_PEOPLE_TARGET`)",
  ),
  SESSION_ACCESS_TOKEN_SECONDS: integer(
    900,
    "lifetime of the access tokens it issues; at most `AUTH_MAX_TOKEN_LIFETIME_SECONDS`",
  ),
});
