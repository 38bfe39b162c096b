// Plugin processes (PROTOCOL.md §3.2, §3.4): the package format's command line,
// the exit reason in the reference's words, stdout/stderr forwarded line by
// line, and the stop sequence that leaves nothing running.

import { pluginCommand } from "@portable-plugins/package";
import { describe, expect, it } from "vitest";
import type { InstalledPlugin } from "../src/install/plugin.js";
import { lineLevel } from "../src/run/plugin-output.js";
import { exitReason, launchCommand, PluginProcess } from "../src/run/process.js";
import { collectingLogger, pidAlive, waitFor } from "./runtime-helpers.js";

function plugin(
  language: InstalledPlugin["language"],
  extra: Record<string, string> = {},
): InstalledPlugin {
  return {
    name: "mirror",
    dir: "/plugins/mirror",
    language,
    executablePath: "/plugins/mirror/bin/run",
    manifest: {
      name: "mirror",
      version: "",
      language,
      executable: "bin/run",
      sources: [],
      sinks: [],
      functions: ["echo"],
      ...extra,
    },
  };
}

const settings = {
  pythonBin: "py3",
  nodeBin: "/usr/bin/node",
  condaBin: "conda",
  socketDir: "/tmp",
  env: {},
};

describe("launch command", () => {
  // The command line per language is the package format's (tested in packages/package,
  // launch.test.ts); the host's part is to run exactly that with its own interpreters.
  it("runs the package format's command line for each language with the host's interpreters", () => {
    const plugins = [
      plugin("go"),
      plugin("python"),
      plugin("python", { virtualEnvType: "conda", env: "ml" }),
      plugin("nodejs"),
    ];
    for (const p of plugins) {
      const { env: _env, ...command } = launchCommand(p, settings);
      expect(command, p.manifest.virtualEnvType ?? p.language).toEqual(pluginCommand(p, settings));
    }
    expect(launchCommand(plugins[2]!, settings).file).toBe("conda");
  });

  it("inherits the environment with overrides, and names a non-default socket folder", () => {
    process.env["PORTABLE_TEST_INHERITED"] = "yes";
    try {
      const { env } = launchCommand(plugin("go"), {
        ...settings,
        socketDir: "/run/pp",
        env: { EXTRA: "1", PORTABLE_TEST_INHERITED: undefined },
      });
      expect(env["EXTRA"]).toBe("1");
      expect(env["PORTABLE_SOCKET_DIR"]).toBe("/run/pp");
      expect("PORTABLE_TEST_INHERITED" in env).toBe(false);
      expect(env["PATH"]).toBe(process.env["PATH"]);
    } finally {
      delete process.env["PORTABLE_TEST_INHERITED"];
    }
  });
});

describe("plugin process", () => {
  it("words exits as the reference status does", () => {
    expect(exitReason(1, null)).toBe("exit status 1");
    expect(exitReason(null, "SIGKILL")).toBe("signal: killed");
    expect(exitReason(null, "SIGTERM")).toBe("signal: terminated");
  });

  it("forwards stdout and stderr line by line, prefixed with the plugin name", async () => {
    const logger = collectingLogger();
    const p = PluginProcess.spawn(
      "talker",
      {
        file: "sh",
        args: ["-c", "echo one; echo two 1>&2; printf 'three\\nfour'"],
        cwd: "/",
        env: process.env,
      },
      logger,
    );
    expect((await p.exited).reason).toBe("exit status 0");
    await waitFor("the last line", () => logger.lines.some((l) => l.includes("four")));
    expect(logger.lines).toEqual(
      expect.arrayContaining([
        "info plugin talker stdout: one",
        "info plugin talker stderr: two",
        "info plugin talker stdout: three",
        "info plugin talker stdout: four",
      ]),
    );
  });

  it("reports a program that cannot be started", async () => {
    const p = PluginProcess.spawn(
      "ghost",
      { file: "/nonexistent/program", args: [], cwd: "/", env: process.env },
      collectingLogger(),
    );
    const exit = await p.exited;
    expect(exit.spawnError).toBeDefined();
    expect(exit.reason).toMatch(/^cannot start: .*ENOENT/);
  });

  it("stops with SIGTERM, then SIGKILL after the grace, taking the process group with it", async () => {
    const logger = collectingLogger();
    // Ignores SIGTERM and has a child of its own.
    const script = "trap '' TERM; sleep 1000 & echo child $!; wait";
    const p = PluginProcess.spawn(
      "stubborn",
      { file: "sh", args: ["-c", script], cwd: "/", env: process.env },
      logger,
    );
    const child = await waitFor("the child's pid", () => {
      const m = /child (\d+)/.exec(logger.lines.join("\n"));
      return m ? Number(m[1]) : undefined;
    });
    expect(pidAlive(child)).toBe(true);
    const exit = await p.stop(300);
    expect(exit.reason).toBe("signal: killed");
    await waitFor("the child to be gone", () => !pidAlive(child), 5_000);
    expect(p.alive).toBe(false);
  });

  it("logs plugin lines at the level they announce, and at info when they announce none", async () => {
    const logger = collectingLogger();
    const lines = [
      "INFO serving on ipc:///tmp/plugin_talker.ipc",
      'time="2026-07-01T10:00:00Z" level=info msg="started"',
      'time="2026-07-01T10:00:00Z" level=warning msg="slow"',
      "level=error msg=boom",
      "INFO:root:python says hello",
      "WARNING:root:python warns",
      "ERROR:sdk:python failed",
      "2026/07/01 10:00:00 [DEBUG] details",
      "2026-07-01T10:00:00.000Z\twarn\tzap style",
      "panic: dial ipc:///tmp/plugin_mirror.ipc: connect: no such file or directory",
      "an ordinary line that mentions an error in passing",
    ];
    const script = lines.map((l) => `printf '%b\\n' '${l.replace(/'/g, "'\\''")}' 1>&2`).join("; ");
    const p = PluginProcess.spawn(
      "talker",
      { file: "sh", args: ["-c", script], cwd: "/", env: process.env },
      logger,
    );
    await p.exited;
    const level = (text: string) => logger.lines.find((l) => l.includes(text))?.split(" ", 1)[0];
    expect(level("serving on")).toBe("info");
    expect(level('msg="started"')).toBe("info");
    expect(level('msg="slow"')).toBe("warn");
    expect(level("msg=boom")).toBe("error");
    expect(level("python says hello")).toBe("info");
    expect(level("python warns")).toBe("warn");
    expect(level("python failed")).toBe("error");
    expect(level("details")).toBe("debug");
    expect(level("zap style")).toBe("warn");
    expect(level("panic: dial")).toBe("error");
    expect(level("in passing")).toBe("info");
    expect(lineLevel("Traceback (most recent call last):")).toBe("error");
    expect(lineLevel("error count is zero")).toBe("info");
    // eKuiper's Python SDK's format.
    const py = "2026-11-29 09:11:04,231 - /venv/ekuiper/runtime/plugin.py[line:60] -";
    expect(lineLevel(`${py} INFO: starting plugin mirror`)).toBe("info");
    expect(lineLevel(`${py} WARNING: slow`)).toBe("warn");
    expect(lineLevel(`${py} ERROR: cannot dial`)).toBe("error");
  });

  it("keeps the tail of stderr and picks the line that tells why it died", async () => {
    const goPanic = PluginProcess.spawn(
      "gopanic",
      {
        file: "sh",
        args: [
          "-c",
          "echo 'INFO starting' 1>&2; echo 'panic: dial ipc:///tmp/plugin_mirror.ipc: connect: no such file or directory' 1>&2; echo '' 1>&2; echo 'goroutine 1 [running]:' 1>&2; echo 'main.main()' 1>&2; exit 2",
        ],
        cwd: "/",
        env: process.env,
      },
      collectingLogger(),
    );
    expect((await goPanic.exited).reason).toBe("exit status 2");
    expect(goPanic.stderrTail.tellingLine()).toBe(
      "panic: dial ipc:///tmp/plugin_mirror.ipc: connect: no such file or directory",
    );
    const missing = PluginProcess.spawn(
      "nonode",
      {
        file: "sh",
        args: ["-c", "exec nonexistent-node-binary plugin.js"],
        cwd: "/",
        env: process.env,
      },
      collectingLogger(),
    );
    expect((await missing.exited).reason).toBe("exit status 127");
    expect(missing.stderrTail.tellingLine()).toMatch(/nonexistent-node-binary: not found/);
  });

  it("reports the reason the host killed it for instead of `signal: killed`", async () => {
    const p = PluginProcess.spawn(
      "sleeper",
      { file: "sh", args: ["-c", "sleep 100"], cwd: "/", env: process.env },
      collectingLogger(),
    );
    p.kill("SIGKILL", "control channel closed by the plugin");
    const exit = await p.exited;
    expect(exit).toMatchObject({
      signal: "SIGKILL",
      reason: "control channel closed by the plugin",
      killedBecause: "control channel closed by the plugin",
    });
  });
});
