// Interop with mangos v3.4.2 (Go, peers/mangos, built by the vitest
// globalSetup): the shared cases of support/shared-cases.ts and
// support/shared-pair-cases.ts, with no receive limit on the mangos side.
// Limits and restarts particular to mangos are in mangos-limits.test.ts.
import { IpcDir } from "./support/fixtures.js";
import { cleanupHooks } from "./support/ours.js";
import { describePeer, MANGOS_HINT, mangos, mangosAvailable } from "./support/peers.js";
import { sharedCases } from "./support/shared-cases.js";
import { sharedPairCases } from "./support/shared-pair-cases.js";

const dir = new IpcDir();
cleanupHooks(dir);

describePeer(
  "mangos v3.4.2 (Go)",
  mangosAvailable(),
  () => {
    sharedCases(mangos, dir);
    sharedPairCases(mangos, dir);
  },
  MANGOS_HINT,
);
