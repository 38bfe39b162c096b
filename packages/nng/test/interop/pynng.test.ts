// Interop with libnng (through pynng 0.8.1, in a child process): the shared
// cases of support/shared-cases.ts (every pattern, both roles, both
// transports, the plugin handshake with resends, restarts, limits).
import { afterAll, afterEach, expect } from "vitest";
import { IpcDir } from "./support/fixtures.js";
import { closeAllOurs } from "./support/ours.js";
import { describePeer, pynng, pynngAvailable } from "./support/peers.js";
import { assertNoneAlive, reapAll } from "./support/processes.js";
import { sharedCases } from "./support/shared-cases.js";

const dir = new IpcDir();

afterEach(async () => {
  await closeAllOurs();
  await reapAll();
  assertNoneAlive();
  // Both ends close cleanly, so both libraries must have removed their ipc files.
  const left = dir.leftovers();
  dir.clear();
  expect(left).toEqual([]);
});
afterAll(() => {
  dir.remove();
});

describePeer("libnng (pynng)", pynngAvailable(), () => {
  sharedCases(pynng, dir);
});
