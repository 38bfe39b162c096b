import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Socket tests wait on real timers (resend, reconnect): give them room on a busy machine.
    testTimeout: 30_000,
  },
});
