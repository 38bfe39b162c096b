// Which names are safe: a plugin name becomes a folder and
// /tmp/plugin_<name>.ipc; a function name becomes /tmp/func_<name>.ipc.

import { symbolNameProblem } from "@portable-plugins/package";
import {
  controlSocketPath,
  SUN_PATH_BYTES as MAX_SOCKET_PATH_BYTES,
} from "@portable-plugins/protocol";
import { describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import { checkPluginName } from "../src/names.js";

describe("plugin names", () => {
  it.each(["mirror", "my-plugin_2", "_x", "9lives"])("accepts %s", (name) => {
    expect(() => checkPluginName(name)).not.toThrow();
  });

  it.each(["", "-flag", "a b", "a/b", "..", ".hidden", "naïve", "a.b"])("refuses %j", (name) => {
    expect(() => checkPluginName(name)).toThrow(HostError);
  });

  it("accepts the longest name whose control socket path fits in sun_path, and not one more", () => {
    const longest = "p".repeat(MAX_SOCKET_PATH_BYTES - 1 - controlSocketPath("").length);
    expect(Buffer.byteLength(controlSocketPath(longest))).toBe(107);
    expect(() => checkPluginName(longest)).not.toThrow();
    expect(() => checkPluginName(`${longest}p`)).toThrow(/must stay under 108 bytes/);
  });
});

describe("symbol names", () => {
  it("are identifiers for functions (called from SQL)", () => {
    expect(symbolNameProblem("function", "echo_2")).toBeUndefined();
    expect(symbolNameProblem("function", "a-b")).toMatch(/not an identifier/);
  });

  it("may also hold '-' for sources and sinks (PROTOCOL.md §6.2), never '/', NUL or spaces", () => {
    expect(symbolNameProblem("source", "random")).toBeUndefined();
    expect(symbolNameProblem("sink", "my-sink")).toBeUndefined();
    for (const bad of ["2fast", "a/b", "a\0b", "a b", "-x", ""]) {
      expect(symbolNameProblem("sink", bad)).toMatch(/is not valid/);
    }
  });

  it("must keep a function's socket path in sun_path", () => {
    expect(symbolNameProblem("function", "f".repeat(93))).toBeUndefined();
    expect(symbolNameProblem("function", "f".repeat(94))).toMatch(
      /\/tmp\/func_f+\.ipc must stay under 108 bytes/,
    );
  });
});
