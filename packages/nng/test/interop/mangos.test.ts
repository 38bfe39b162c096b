// Interop with mangos v3.4.2 (Go, peers/mangos, built by the vitest
// globalSetup): the shared cases of support/shared-cases.ts with no receive
// limit on the mangos side, then what is particular to mangos.
import { afterAll, afterEach, expect } from "vitest";
import { IpcDir } from "./support/fixtures.js";
import { closeAllOurs } from "./support/ours.js";
import { describePeer, MANGOS_HINT, mangos, mangosAvailable } from "./support/peers.js";
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

describePeer(
  "mangos v3.4.2 (Go)",
  mangosAvailable(),
  () => {
    sharedCases(mangos, dir);
  },
  MANGOS_HINT,
);
