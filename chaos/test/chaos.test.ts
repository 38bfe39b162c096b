// The short chaos run, part of `npm test`: each mirror (TypeScript SDK,
// eKuiper's Python SDK, eKuiper's Go SDK) is killed with SIGKILL 12 times,
// 0.7 s apart, under a load of echo calls and a streaming source, with the
// host's DEFAULT restart policy. Every kill must be survived (a new process,
// calls answered and rows received again), no result may be wrong, and
// nothing may be left: no process, no socket file. Twelve kills is more than
// a policy that gives up after ten consecutive restarts allows. The full run
// (`npm run chaos`, 1000 kills per mirror) is outside `npm test`.

import { describe, expect, it } from "vitest";
import { problems, runChaos } from "../src/chaos.js";
import { MIRRORS } from "../src/subjects.js";

const KILLS = 12;

describe("chaos, short run", () => {
  for (const mirror of MIRRORS) {
    it(`${mirror} mirror: ${KILLS} kill -9 under load, nothing lost or left`, async () => {
      const r = await runChaos({ mirror, kills: KILLS, recoveryTimeoutMs: 30_000 });
      expect(problems(r, KILLS), r.log.join("\n")).toEqual([]);
      expect(r.kills).toBe(KILLS);
      expect(r.calls.ok).toBeGreaterThan(KILLS);
      expect(r.rows.ok).toBeGreaterThan(KILLS);
      expect(r.restarts).toBeGreaterThanOrEqual(KILLS);
    });
  }
});
