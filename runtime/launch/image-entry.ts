import { DATA_SERVICES, DEFAULT_PORTS, type ProcessName } from "../platform.js";
import { migrateOnly } from "./migrate-only.js";

// The container image's entry point (Dockerfile): one image for every
// process, chosen by its first argument. `<process>` runs that process here,
// as `npm start` runs each of its children (`people`, `session`, `gateway`,
// ...: the names of runtime/platform.ts); `migrate [<data service> ...]`
// applies migrations and exits (the migration Job).

const USAGE = `usage: image-entry <${Object.keys(DEFAULT_PORTS).join("|")}> | migrate [<data service> ...]\n`;

function isProcess(name: string | undefined): name is ProcessName {
  return name !== undefined && Object.hasOwn(DEFAULT_PORTS, name);
}

/** The process's entry module, beside this one in the same tree (dist/ in the image, the sources under tsx). */
function entryOf(name: ProcessName): URL {
  const folder = (DATA_SERVICES as readonly string[]).includes(name) ? "services" : "apps";
  return new URL(`../../${folder}/${name}/main.js`, import.meta.url);
}

const [command, ...rest] = process.argv.slice(2);
if (command === "migrate") {
  process.exitCode = await migrateOnly(rest);
} else if (isProcess(command) && rest.length === 0) {
  await import(entryOf(command).href);
} else {
  process.stderr.write(USAGE);
  process.exitCode = 2;
}
