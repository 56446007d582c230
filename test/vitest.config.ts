import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start servers on fixed loopback ports per file; files run in parallel forks.
    pool: "forks",
    maxWorkers: 2,
  },
});
