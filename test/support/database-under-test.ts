import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { createDatabaseFromTemplate, databaseUrl, dropDatabase } from "../../runtime/db/databases.js";

export interface DatabaseUnderTest {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database of a data service for one test file, cloned from the migrated template in milliseconds. */
export async function cloneServiceDatabase(service: string): Promise<DatabaseUnderTest> {
  const serverUrl = inject("postgresServerUrl");
  const template = inject("templateDatabases")[service];
  if (!template) throw new Error(`no template database for service "${service}": has it a prisma/migrations folder?`);
  const name = `hr_test_${service}_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await createDatabaseFromTemplate(serverUrl, name, template);
  return { url: databaseUrl(serverUrl, name), drop: () => dropDatabase(serverUrl, name) };
}
