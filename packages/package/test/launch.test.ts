// The command line of a plugin per language (PROTOCOL.md §3.2), the one the
// host and the conformance suite both run: the executable's folder as cwd and
// the PortableConfig as the last argument.

import { describe, expect, it } from "vitest";
import { type Launchable, pluginCommand } from "../src/launch.js";

const bins = { pythonBin: "py3", nodeBin: "/usr/bin/node", condaBin: "/opt/conda/bin/conda" };
const JSON_ARG = '{"sendTimeout":1000}';

function plugin(language: Launchable["language"], manifest: Launchable["manifest"] = {}) {
  return { language, executablePath: "/plugins/mirror/bin/run", manifest };
}

describe("pluginCommand", () => {
  it("runs a go plugin's executable directly, in its folder, with the PortableConfig", () => {
    expect(pluginCommand(plugin("go"), bins)).toEqual({
      file: "/plugins/mirror/bin/run",
      args: [JSON_ARG],
      cwd: "/plugins/mirror/bin",
    });
  });

  it("runs python unbuffered with the python binary", () => {
    expect(pluginCommand(plugin("python"), bins)).toEqual({
      file: "py3",
      args: ["-u", "/plugins/mirror/bin/run", JSON_ARG],
      cwd: "/plugins/mirror/bin",
    });
  });

  it("runs a conda plugin as the reference does (`run -n <env>`), without output capture", () => {
    expect(pluginCommand(plugin("python", { virtualEnvType: "conda", env: "ml" }), bins)).toEqual({
      file: "/opt/conda/bin/conda",
      args: [
        "run",
        "-n",
        "ml",
        "--no-capture-output",
        "py3",
        "-u",
        "/plugins/mirror/bin/run",
        JSON_ARG,
      ],
      cwd: "/plugins/mirror/bin",
    });
  });

  it("runs a nodejs plugin with the node binary", () => {
    expect(pluginCommand(plugin("nodejs"), bins)).toEqual({
      file: "/usr/bin/node",
      args: ["/plugins/mirror/bin/run", JSON_ARG],
      cwd: "/plugins/mirror/bin",
    });
  });

  it("adds the version offer only when more than version 1 is offered (§10.2)", () => {
    expect(pluginCommand(plugin("go"), bins, [1]).args).toEqual([JSON_ARG]);
    expect(pluginCommand(plugin("nodejs"), bins, [1, 2]).args).toEqual([
      "/plugins/mirror/bin/run",
      '{"sendTimeout":1000,"protocolVersions":[1,2]}',
    ]);
    expect(() => pluginCommand(plugin("go"), bins, [2])).toThrow(RangeError);
  });
});
