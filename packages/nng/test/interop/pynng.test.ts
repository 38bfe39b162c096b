// Interop with libnng (through pynng 0.8.1, in a child process): the shared
// cases of support/shared-cases.ts (every pattern, both roles, both
// transports, the plugin handshake with resends, restarts, limits).
import { IpcDir } from "./support/fixtures.js";
import { cleanupHooks } from "./support/ours.js";
import { describePeer, pynng, pynngAvailable } from "./support/peers.js";
import { sharedCases } from "./support/shared-cases.js";

const dir = new IpcDir();
cleanupHooks(dir);

describePeer("libnng (pynng)", pynngAvailable(), () => {
  sharedCases(pynng, dir);
});
