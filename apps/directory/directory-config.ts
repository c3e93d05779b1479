import { configSlice, text } from "../../runtime/config.js";
import { localTarget } from "../../runtime/platform.js";

/** Where the directory finds the data services it composes. */
export const directoryVariables = configSlice("directory", {
  DIRECTORY_PEOPLE_TARGET: text(
    localTarget("people"),
    "where people is: `host:port`, `ipv4:a:p,b:p`, or `dns:///people:50051` (round-robin over all addresses)",
  ),
});
