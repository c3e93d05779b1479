import { runDataService } from "../../runtime/service/data-service.js";
import { inboxService } from "./inbox-service.js";

// Process entry point of the inbox data service; configuration in docs/configuration.md.
await runDataService(inboxService);
