import { runDataService } from "../../runtime/service/data-service.js";
import { identityService } from "./identity-service.js";

// Process entry point of the identity data service; configuration in docs/configuration.md.
await runDataService(identityService);
