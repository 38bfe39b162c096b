// Interop with libnng (through pynng 0.8.1, in a child process): the shared
// cases of support/shared-cases.ts (REQ/REP and PUSH/PULL, both roles, both
// transports, the plugin handshake with resends, restarts, limits) and of
// support/shared-pair-cases.ts (PAIR v0).
import { IpcDir } from "./support/fixtures.js";
import { cleanupHooks } from "./support/ours.js";
import { describePeer, pynng, pynngAvailable } from "./support/peers.js";
import { sharedCases } from "./support/shared-cases.js";
import { sharedPairCases } from "./support/shared-pair-cases.js";

const dir = new IpcDir();
cleanupHooks(dir);

describePeer("libnng (pynng)", pynngAvailable(), () => {
  sharedCases(pynng, dir);
  sharedPairCases(pynng, dir);
});
