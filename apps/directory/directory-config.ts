import { targetVariable } from "../../runtime/client/client-config.js";
import { configSlice } from "../../runtime/config.js";
import { localTarget } from "../../runtime/platform.js";

/** Where the directory finds the data services it composes. */
export const directoryVariables = configSlice("directory", {
  DIRECTORY_PEOPLE_TARGET: targetVariable(
    localTarget("people"),
    "where people is: `host:port`, every replica's address (`127.0.0.1:50051,127.0.0.1:50151`, IP addresses), or a name resolving to every replica (`dns:///people:50051`); calls go round-robin over them",
  ),
});
