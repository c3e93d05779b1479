import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";
import { connectCatalogSafe } from "./catalog-safe-pool.js";
import { databaseUrl, dropDatabase, ensureDatabase } from "./databases.js";

// One Prisma CLI config per data service, so `prisma --config
// services/<service>/prisma/prisma.config.ts` works offline: engine "js" runs
// the wasm schema engine shipped in npm through the pg driver adapter (the
// native engine would be downloaded, and there is no network). Paths are
// absolute, from this file's location, so the CLI works from any cwd.

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

// `migrate dev` diffs the migrations against a throwaway "shadow" database: a
// fresh, uniquely named one per run (a fixed name fails when a crashed run left
// it behind), dropped when Prisma disposes of its connection.
function migrationAdapter(url: string) {
  return {
    provider: "postgres" as const,
    adapterName: "@prisma/adapter-pg",
    connect: () => connectCatalogSafe(url),
    async connectToShadowDb() {
      const shadow = `prisma_shadow_${randomUUID().replaceAll("-", "")}`;
      await ensureDatabase(url, shadow);
      const adapter = await connectCatalogSafe(databaseUrl(url, shadow));
      const release = adapter.dispose.bind(adapter);
      adapter.dispose = async () => {
        await release();
        await dropDatabase(url, shadow);
      };
      return adapter;
    },
  };
}

/** The Prisma CLI config of `services/<service>/prisma`, connecting to `DATABASE_URL` when a command needs a database. */
export function prismaConfigFor(service: string) {
  const dir = `${repoRoot}services/${service}/prisma`;
  return defineConfig({
    experimental: { adapter: true },
    schema: `${dir}/schema.prisma`,
    migrations: { path: `${dir}/migrations` },
    engine: "js",
    // Called only by commands that touch a database (not generate or format).
    async adapter() {
      const url = process.env.DATABASE_URL;
      if (!url) throw new Error("DATABASE_URL is not set: the URL of the database to migrate");
      return migrationAdapter(url);
    },
  });
}
