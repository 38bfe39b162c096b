import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Suites spawn real plugin processes and wait on real timers (keepalive, grace periods).
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // Plugins share fixed socket paths in /tmp (control channel by plugin name, function
    // channel by symbol name): never run two files at once.
    fileParallelism: false,
  },
});
