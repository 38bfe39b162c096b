// Unit tests of the mirror's symbols, called directly with the fake contexts of
// @portable-plugins/sdk/testing (no host, no sockets).

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PluginFunction, Source } from "@portable-plugins/sdk";
import {
  fakeContext,
  fakeFunctionContext,
  fakeSinkData,
  fakeSourceContext,
} from "@portable-plugins/sdk/testing";
import { afterEach, describe, expect, it } from "vitest";
import { echo } from "../src/echo-func.js";
import { FileSink } from "../src/file-sink.js";
import { RandomSource } from "../src/random-source.js";

// What a host that does not check types (eKuiper's) may pass: the symbols' own
// checks, seen through the untyped interfaces.
const untypedSource = (): Source => new RandomSource();
const untypedEcho: PluginFunction = echo;

describe("source random", () => {
  it("needs an interval and a pattern object", () => {
    expect(() => untypedSource().configure?.("", { pattern: { count: 50 } })).toThrow(
      /interval is required/,
    );
    expect(() => new RandomSource().configure("", { interval: 0, pattern: {} })).toThrow(
      /interval must be a positive integer/,
    );
    expect(() => untypedSource().configure?.("", { interval: 10, pattern: [1] })).toThrow(
      /pattern must be an object/,
    );
  });

  it("with seed 1 mirrors the pattern's numeric fields and drops the others", () => {
    const s = new RandomSource();
    s.configure("", { interval: 10, pattern: { count: 50, name: "x", ratio: 2.7 } });
    expect(s.next()).toEqual({ count: 50, ratio: 2 });
  });

  it("adds an offset in [0, seed), reproducibly with randomSeed", () => {
    const values = (randomSeed: number) => {
      const s = new RandomSource();
      s.configure("", { interval: 10, seed: 10, randomSeed, pattern: { count: 50 } });
      return Array.from({ length: 50 }, () => s.next()["count"] as number);
    };
    const a = values(7);
    expect(a.every((v) => v >= 50 && v < 60)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(5);
    expect(values(7)).toEqual(a);
  });

  it("never repeats one of the last N values with deduplicate N", () => {
    const s = new RandomSource();
    s.configure("", { interval: 10, seed: 4, deduplicate: 2, randomSeed: 1, pattern: { n: 0 } });
    const emitted: number[] = [];
    for (let i = 0; i < 200; i++) {
      const v = s.next();
      if (!s.isDuplicate(v)) emitted.push(v["n"] as number);
    }
    for (let i = 2; i < emitted.length; i++)
      expect(emitted.slice(i - 2, i)).not.toContain(emitted[i]);
  });

  it("emits every interval until stopped", async () => {
    const s = new RandomSource();
    s.configure("", { interval: 5, pattern: { count: 1 } });
    const ctx = fakeSourceContext({ stopAfter: 3 });
    await s.open(ctx);
    expect(ctx.emitted.map((t) => t.message)).toEqual([{ count: 1 }, { count: 1 }, { count: 1 }]);
  });
});

describe("sink file", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("appends each row as a JSON line, arrays as several rows", async () => {
    dir = mkdtempSync(join(tmpdir(), "mirror-file-"));
    const path = join(dir, "out.jsonl");
    const sink = new FileSink();
    sink.configure({ path, interval: 50 });
    sink.open(fakeContext());
    await sink.collect(fakeContext(), fakeSinkData({ a: 1 }));
    await sink.collect(fakeContext(), fakeSinkData([{ b: 2 }, { c: 3 }]));
    await sink.close();
    expect(readFileSync(path, "utf8")).toBe('{"a":1}\n{"b":2}\n{"c":3}\n');
  });

  it("fails the collect when the file cannot be written", async () => {
    dir = mkdtempSync(join(tmpdir(), "mirror-file-"));
    const sink = new FileSink();
    sink.configure({ path: join(dir, "no", "such", "dir", "f") });
    sink.open(fakeContext());
    await expect(sink.collect(fakeContext(), fakeSinkData({ a: 1 }))).rejects.toThrow(/ENOENT/);
    await sink.close().catch(() => {});
  });

  it("refuses a bad configuration", () => {
    expect(() => new FileSink().configure({ path: "" })).toThrow(/path must be a non-empty string/);
    expect(() => new FileSink().configure({ interval: -1 })).toThrow(
      /interval must be a positive number/,
    );
  });
});

describe("function echo", () => {
  it("takes exactly one argument and returns it", async () => {
    expect(() => untypedEcho.validate?.([])).toThrow("echo takes exactly one argument, got 0");
    expect(() => untypedEcho.validate?.([1, 2])).toThrow("echo takes exactly one argument, got 2");
    expect(echo.validate?.([1])).toBeUndefined();
    expect(await echo.exec([{ x: [1, "a"] }], fakeFunctionContext())).toEqual({
      x: [1, "a"],
    });
    expect(echo.isAggregate?.()).toBe(false);
  });
});
