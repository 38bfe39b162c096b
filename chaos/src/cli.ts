// `npm run chaos`: the chaos run over the mirror plugins, one after the
// other, with a table of what happened. Exits non-zero when any run lost a
// call result, a row, a symbol, or left a process or socket file behind.
//   --kills N        kills per mirror (default 1000)
//   --mirror LIST    ts,python,go (default all three)
//   --interval MS    at least this long between two kills (default 700)
//   --callers N      concurrent echo callers (default 4)
//   --json FILE      write the results as JSON

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type ChaosResult, problems, runChaos } from "./chaos.js";
import { MIRRORS, type Mirror } from "./subjects.js";
import { table } from "./table.js";

const { values } = parseArgs({
  options: {
    kills: { type: "string", default: "1000" },
    mirror: { type: "string", default: MIRRORS.join(",") },
    interval: { type: "string", default: "700" },
    callers: { type: "string", default: "4" },
    json: { type: "string" },
  },
});

const kills = Number(values.kills);
const mirrors = values.mirror.split(",").map((m) => {
  if (!(MIRRORS as readonly string[]).includes(m)) {
    throw new Error(`--mirror: unknown mirror "${m}" (known: ${MIRRORS.join(", ")})`);
  }
  return m as Mirror;
});

const results: ChaosResult[] = [];
let failed = false;
for (const mirror of mirrors) {
  process.stderr.write(`chaos: ${mirror} mirror, ${kills} kills\n`);
  const r = await runChaos({
    mirror,
    kills,
    intervalMs: Number(values.interval),
    callers: Number(values.callers),
    onKill: (n, ms) => {
      if (n % 50 === 0)
        process.stderr.write(`  ${mirror}: ${n} kills, last back in ${ms.toFixed(0)} ms\n`);
    },
  });
  results.push(r);
  const lost = problems(r, kills);
  if (lost.length > 0) {
    failed = true;
    process.stderr.write(`chaos: ${mirror}: ${lost.join("; ")}\n${r.log.join("\n")}\n`);
  }
}
process.stdout.write(`${table(results)}\n`);
if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
process.exit(failed ? 1 : 0);
