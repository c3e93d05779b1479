import { targetVariable } from "../../runtime/client/client-config.js";
import { configSlice } from "../../runtime/config.js";
import { localTarget } from "../../runtime/platform.js";

/** Where self-service finds the data services it composes. */
export const selfServiceVariables = configSlice("self-service", {
  SELF_SERVICE_PEOPLE_TARGET: targetVariable(
    localTarget("people"),
    "where people is (same forms as `DIRECTORY_PEOPLE_TARGET`)",
  ),
  SELF_SERVICE_TIMEOFF_TARGET: targetVariable(localTarget("timeoff"), "where timeoff is"),
  SELF_SERVICE_INBOX_TARGET: targetVariable(localTarget("inbox"), "where inbox is (notifications)"),
});
