import { runDataService } from "../../runtime/service/data-service.js";
import { talentService } from "./talent-service.js";

// Process entry point of the talent data service; configuration in docs/configuration.md.
await runDataService(talentService);
