import { runDataService } from "../../runtime/service/data-service.js";
import { timeoffService } from "./timeoff-service.js";

// Process entry point of the timeoff data service; configuration in docs/configuration.md.
await runDataService(timeoffService);
