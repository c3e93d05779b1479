import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { type KeyPairFiles, writeKeyPair } from "../../runtime/auth/development-keys.js";
import { databaseUrl, dropDatabase, ensureDatabase } from "../../runtime/db/databases.js";
import { migrateDatabase } from "../../runtime/db/migrate.js";
import { startEmbeddedPostgres } from "../../runtime/db/postgres-server.js";
import { freePort } from "./free-port.js";

/** Every data service with committed migrations gets a template database. */
const SERVICES = readdirSync(new URL("../../services/", import.meta.url)).filter((name) =>
  existsSync(new URL(`../../services/${name}/prisma/migrations`, import.meta.url)),
);

declare module "vitest" {
  export interface ProvidedContext {
    postgresServerUrl: string;
    templateDatabases: Record<string, string>;
    /** The run's token key pair: servers under test verify with its JWKS, `as(...)` signs with its private key. */
    testKeys: KeyPairFiles;
  }
}

/**
 * Once per test run: a PostgreSQL server (DATABASE_URL when set, else an
 * embedded one in a temporary folder) and one migrated template database per
 * data service. Each test file then clones its own database in milliseconds.
 * And a token key pair of the run's own, in a temporary folder.
 */
export default async function setup(project: TestProject) {
  const external = process.env.DATABASE_URL;
  let stopServer = async () => {};
  let serverUrl: string;
  let dataDir: string | undefined;
  if (external) {
    serverUrl = external;
  } else {
    dataDir = await mkdtemp(join(tmpdir(), "hr-test-pg-"));
    const embedded = await startEmbeddedPostgres({ dataDir, port: await freePort() });
    serverUrl = embedded.serverUrl;
    stopServer = embedded.stop;
  }

  const run = `${process.pid}_${Date.now().toString(36)}`;
  const templates: Record<string, string> = {};
  for (const service of SERVICES) {
    const name = `hr_test_${service}_template_${run}`;
    await ensureDatabase(serverUrl, name);
    await migrateDatabase(service, databaseUrl(serverUrl, name));
    templates[service] = name;
  }
  const keyDir = await mkdtemp(join(tmpdir(), "hr-test-keys-"));
  project.provide("testKeys", await writeKeyPair(keyDir, `test-${run}`));
  project.provide("postgresServerUrl", serverUrl);
  project.provide("templateDatabases", templates);

  return async () => {
    for (const name of Object.values(templates)) await dropDatabase(serverUrl, name);
    await stopServer();
    await rm(keyDir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
