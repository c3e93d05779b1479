import { runDataService } from "../../runtime/service/data-service.js";
import { casesService } from "./cases-service.js";

// Process entry point of the cases data service; configuration in docs/configuration.md.
await runDataService(casesService);
