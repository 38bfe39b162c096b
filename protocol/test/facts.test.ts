// Facts every package takes from here instead of declaring them again
// (issue 12): symbol kinds and their spellings, plugin languages, socket
// paths and their length limit, and the versioned handshake (§10.3).

import { describe, expect, it } from "vitest";
import {
  ControlDescriptor,
  controlChannelUrl,
  controlSocketPath,
  fitsIpcPath,
  formatHandshake,
  functionChannelUrl,
  functionSocketPath,
  Handshake,
  kindOfPluginType,
  kindOfSymbolList,
  LANGUAGES,
  MAX_IPC_PATH_BYTES,
  PluginManifest,
  PluginManifestDescriptor,
  ProtocolError,
  parseHandshake,
  pluginTypeOf,
  SYMBOL_KINDS,
  symbolListOf,
  symbolsOf,
} from "../src/index.js";

describe("symbol kinds", () => {
  it("spell the schema's Control.pluginType values and manifest lists, in order", () => {
    const pluginTypes = ControlDescriptor.fields.find((f) => f.name === "pluginType")?.oneOf;
    expect(SYMBOL_KINDS.map(pluginTypeOf)).toEqual(pluginTypes);
    const lists = PluginManifestDescriptor.fields.filter((f) => f.repeated).map((f) => f.name);
    expect(SYMBOL_KINDS.map(symbolListOf)).toEqual(lists);
    expect(SYMBOL_KINDS).toEqual(["source", "sink", "function"]);
  });

  it("translate between the three spellings both ways", () => {
    expect(pluginTypeOf("function")).toBe("func");
    expect(kindOfPluginType("func")).toBe("function");
    expect(symbolListOf("sink")).toBe("sinks");
    expect(kindOfSymbolList("functions")).toBe("function");
    expect(kindOfSymbolList("function")).toBeUndefined();
    expect(kindOfSymbolList("constructor")).toBeUndefined();
    const m = PluginManifest.decode(
      '{"language":"go","executable":"m","sources":["a"],"sinks":["b"],"functions":["c"]}',
    );
    expect(SYMBOL_KINDS.map((k) => symbolsOf(m, k))).toEqual([["a"], ["b"], ["c"]]);
  });
});

describe("plugin languages", () => {
  it("are the schema's one_of, and a manifest with another language does not decode", () => {
    expect(LANGUAGES).toEqual(["go", "python", "nodejs"]);
    expect(() =>
      PluginManifest.decode('{"language":"java","executable":"m","sources":["a"]}'),
    ).toThrowError(expect.objectContaining({ code: "PORTABLE_E_DECODE", field: "language" }));
  });
});

describe("socket paths", () => {
  it("are the channel URLs' paths, in /tmp unless told otherwise", () => {
    expect(controlSocketPath("mirror")).toBe("/tmp/plugin_mirror.ipc");
    expect(functionSocketPath("echo", "/run/x/")).toBe("/run/x/func_echo.ipc");
    expect(controlChannelUrl("mirror")).toBe(`ipc://${controlSocketPath("mirror")}`);
    expect(functionChannelUrl("echo", "/d")).toBe(`ipc://${functionSocketPath("echo", "/d")}`);
  });

  it("fit when at most 107 bytes: sun_path is 108 with the NUL (§2.5)", () => {
    expect(MAX_IPC_PATH_BYTES).toBe(107);
    const fill = (n: number) => controlSocketPath("p".repeat(n - controlSocketPath("").length));
    expect(Buffer.byteLength(fill(107))).toBe(107);
    expect(fitsIpcPath(fill(107))).toBe(true);
    expect(fitsIpcPath(fill(108))).toBe(false);
    // bytes, not characters
    expect(fitsIpcPath(`/tmp/${"é".repeat(51)}`)).toBe(true);
    expect(fitsIpcPath(`/tmp/${"é".repeat(52)}`)).toBe(false);
  });
});

describe("versioned handshake (§10.3)", () => {
  it("formats version 1 as the plain 9 bytes and N >= 2 as `handshake v=N`", () => {
    expect(formatHandshake().toString("hex")).toBe("68616e647368616b65");
    expect(formatHandshake(1).toString()).toBe("handshake");
    expect(formatHandshake(2).toString("hex")).toBe("68616e647368616b6520763d32");
    expect(formatHandshake(10).toString()).toBe("handshake v=10");
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => formatHandshake(bad)).toThrowError(
        expect.objectContaining({ code: "PORTABLE_E_ENCODE", field: "version" }),
      );
    }
  });

  it("parses every form to its version, and nothing else", () => {
    expect(parseHandshake("handshake")).toBe(1);
    expect(parseHandshake(Buffer.from("handshake v=2"))).toBe(2);
    expect(parseHandshake("handshake v=19")).toBe(19);
    expect(parseHandshake("handshake v=10")).toBe(10);
    for (const bad of [
      "handshake v=1",
      "handshake v=0",
      "handshake v=02",
      "handshake v=",
      "handshake v=2 ",
      "handshake  v=2",
      "handshake v=-2",
      "handshake v=99999999999999999999",
      "Handshake",
      "hello",
      "",
    ]) {
      expect(parseHandshake(bad), bad).toBeUndefined();
    }
  });

  it("round-trips through the generated codec", () => {
    for (const v of [undefined, 2, 7, 123]) {
      const value = v === undefined ? { handshake: true } : { handshake: true, version: v };
      expect(Handshake.decode(Handshake.encode(value))).toEqual(value);
    }
    expect(() => Handshake.decode("handshake v=01")).toThrowError(ProtocolError);
  });
});
