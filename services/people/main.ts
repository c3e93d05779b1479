import { runDataService } from "../../runtime/service/data-service.js";
import { peopleService } from "./people-service.js";

// Process entry point of the people data service; configuration in docs/configuration.md.
await runDataService(peopleService);
