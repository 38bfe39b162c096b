// PROTOCOL.md §13 and the code say the same: the limits table is STATE_LIMITS,
// the state channel's path is stateSocketPath's, and every hex example is a
// vector's bytes with the size the text gives.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { STATE_LIMITS, stateChannelUrl, stateSocketPath } from "../src/index.js";
import { loadVectors } from "./load-vectors.js";

const spec = readFileSync(fileURLToPath(new URL("../PROTOCOL.md", import.meta.url)), "utf8");
const section = spec.slice(spec.indexOf("## 13. State"), spec.indexOf("## Appendix A."));
const cases = loadVectors("v2/spec")
  .filter((f) => f.kind.startsWith("state-"))
  .flatMap((f) => f.cases);

describe("PROTOCOL.md §13", () => {
  it("states the limits of STATE_LIMITS", () => {
    const row = (key: string) =>
      section.split("\n").find((l) => l.startsWith("|") && l.includes(`\`${key}\``)) ?? "";
    expect(row("maxKeyBytes")).toContain(`1 to ${STATE_LIMITS.maxKeyBytes}`);
    expect(row("maxValueBytes")).toContain("1 MiB (1 048 576)");
    expect(STATE_LIMITS.maxValueBytes).toBe(1_048_576);
    expect(row("maxKeysPerInstance")).toContain(`| ${STATE_LIMITS.maxKeysPerInstance} |`);
  });

  it("names the state channel as stateChannelUrl does", () => {
    expect(stateSocketPath("mirror")).toBe("/tmp/state_mirror.ipc");
    expect(section).toContain(`\`${stateChannelUrl("<plugin>")}\``);
  });

  it("shows example bytes that are the vectors' bytes, with their sizes", () => {
    const examples = [...section.matchAll(/^([a-z-]+) \(([0-9]+) bytes\)/gm)];
    expect(examples.map((m) => m[1])).toEqual(["put-offset", "put-ok", "get-found"]);
    for (const m of examples) {
      const c = cases.find((x) => x.name === m[1]);
      expect(c?.hex.length, m[1]).toBe(Number(m[2]) * 2);
    }
    const hexOf = (line: string) =>
      line
        .replace(/"([^"]*)"/g, (_, t: string) => Buffer.from(t).toString("hex"))
        .replace(/[^0-9a-f]/g, "");
    const put = section.split("\n").find((l) => l.startsWith("02 06")) ?? "";
    expect(hexOf(put)).toBe(cases.find((c) => c.name === "put-offset")?.hex);
    for (const name of ["put-ok", "get-found"]) {
      const line = section.split("\n").find((l) => l.startsWith(name)) ?? "";
      const bytes = line.slice(line.indexOf("02 07"));
      expect(hexOf(bytes), name).toBe(cases.find((c) => c.name === name)?.hex);
    }
  });
});
