import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    pool: "forks",
    globalSetup: ["./test/helpers/global-setup.ts"],
  },
});
