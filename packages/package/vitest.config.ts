import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // install.sh tests run bash; give them room on a busy machine.
    testTimeout: 30_000,
  },
});
