import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Installs run bash and child processes; give them room on a busy machine.
    testTimeout: 30_000,
  },
});
