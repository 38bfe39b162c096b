import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real plugin processes, killed and restarted: minutes, not seconds.
    testTimeout: 600_000,
    hookTimeout: 120_000,
    // The reference SDKs use fixed socket paths in /tmp (plugin_mirror.ipc, func_echo.ipc).
    fileParallelism: false,
  },
});
