import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Builds the mangos (Go) interop peer once per run; see the file for failure handling.
    globalSetup: ["test/interop/support/build-peers.ts"],
    // Socket tests wait on real timers (resend, reconnect): give them room on a busy machine.
    testTimeout: 30_000,
  },
});
