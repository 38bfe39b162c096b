// `portable-conformance host ...`: tests a HOST by acting as a plugin (§10.6)
// with the probe (probe/main.ts), started by the host under test.
//   host ours                 our host embedded, offering [1,2] then [1], the probe as a v1 and a v2 plugin
//   host package <dir>        write the probe as a plugin folder for another host (--mode 1|2)
//   host check <dir>          judge what the probe in <dir> recorded under another host (--offers)

import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConformanceError } from "../errors.js";
import { toJunit } from "../report/junit.js";
import { formatReport } from "../report/terminal.js";
import { readEvents } from "./events.js";
import { judgeProbeEvents } from "./judge.js";
import { runOurHost } from "./our-host.js";
import { writeProbeFolder } from "./package.js";
import { hostPluginReport, hostSuiteReport, runLabel } from "./report.js";

export const HOST_USAGE = `usage: portable-conformance host <ours|package|check> [options]

  host ours [--offers 1,2 ...] [--junit f] [--json f]
                         runs the probe under our host (@portable-plugins/host),
                         set to each offer (default 1,2 then 1), the probe playing
                         a v1 and a v2 plugin
  host package <dir> --mode 1|2
                         writes the probe as a plugin folder (zip its content for a
                         host that installs zips); mode 1 plays a reference-SDK plugin
  host check <dir> --offers <list> [--mode 1|2]
                         judges what the probe in <dir> recorded while another host
                         ran it (--offers: what that host offers; 1 = version 2 off)`;

function versionsOf(text: string): number[] {
  const list = text.split(",").map((s) => Number(s.trim()));
  if (list.some((v) => !Number.isSafeInteger(v) || v < 1))
    throw new ConformanceError(
      "PORTABLE_E_CONF_USAGE",
      `--offers ${text}: expected positive integers separated by commas, e.g. 1,2`,
    );
  return list;
}

export async function hostMain(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      offers: { type: "string", multiple: true },
      mode: { type: "string" },
      junit: { type: "string" },
      json: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, dir] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${HOST_USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const mode = { versions: values.mode === "2" ? [1, 2] : [1] };
  if (command === "package" && dir) {
    writeProbeFolder(resolve(dir), mode);
    process.stdout.write(
      `wrote the probe (playing a v${values.mode === "2" ? 2 : 1} plugin) to ${dir}\n`,
    );
    return 0;
  }
  let report: ReturnType<typeof hostSuiteReport>;
  if (command === "ours") {
    const offers = (values.offers ?? []).map(versionsOf);
    report = await runOurHost(offers.length > 0 ? { offers } : {});
  } else if (command === "check" && dir) {
    const offers = versionsOf(values.offers?.[0] ?? "1");
    const e = { offers, mode };
    report = hostSuiteReport([
      hostPluginReport(runLabel("the host", e), e, judgeProbeEvents(readEvents(resolve(dir)), e)),
    ]);
  } else {
    process.stderr.write(`${HOST_USAGE}\n`);
    return 2;
  }
  process.stdout.write(`${formatReport(report)}\n`);
  if (values.junit) await writeFile(values.junit, toJunit(report));
  if (values.json) await writeFile(values.json, JSON.stringify(report, null, 2));
  return report.harnessErrors ? 2 : report.ok ? 0 : 1;
}
