// Tests of the repository itself (scripts/test): what `npm ci` links, what a
// test run leaves behind. Run by `npm run test:repo` after the build.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["scripts/test/**/*.test.ts"], testTimeout: 60_000 },
});
