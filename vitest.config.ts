import { defineConfig } from "vitest/config";

// Integration tests start real gRPC servers on free ports against real
// PostgreSQL databases cloned from a migrated template (see test/support).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
