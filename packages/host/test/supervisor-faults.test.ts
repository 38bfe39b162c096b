// How the supervisor reports and handles a misbehaving plugin (issue 11),
// with real processes on our TypeScript SDK (test/fixtures/ts-plugin): a
// plugin that closes its control socket but lives on, one that writes raw
// garbage instead of SP, one that calls itself by another plugin's name, a
// distinct `restarting` status, and the restart policy that brings back a
// plugin killed every 0.7 s. Each test has its own host, plugin names and
// socket folder, and leaves no process and no socket file behind.

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { HostError } from "../src/errors.js";
import { PortableHost, type PortableHostOptions } from "../src/host.js";
import { tempDir } from "./helpers.js";
import {
  copyPlugin,
  killRepeatedly,
  nextWithin,
  pidAlive,
  TS_FIXTURE_DIR,
  TS_FIXTURE_ENV,
  uniqueName,
  useRuntimeSandbox,
  waitFor,
} from "./runtime-helpers.js";

let host: PortableHost | undefined;
const run = useRuntimeSandbox({
  teardown: async () => {
    await host?.close();
    host = undefined;
  },
});

function newHost(modes: Record<string, string>, options: Partial<PortableHostOptions> = {}) {
  host = new PortableHost({
    dataDir: "",
    socketDir: run.socketDir,
    logger: run.logger,
    ...options,
    env: (plugin) => ({
      ...TS_FIXTURE_ENV,
      FIXTURE_MODE: modes[plugin.name] ?? "normal",
      PORTABLE_PLUGIN_NAME: modes[`${plugin.name}:as`] ?? plugin.name,
    }),
    timeouts: {
      initMs: 15_000,
      commandMs: 15_000,
      callMs: 10_000,
      stopGraceMs: 2_000,
      ...options.timeouts,
    },
  });
  return host;
}

async function hostWith(mode: string, options: Partial<PortableHostOptions> = {}) {
  const name = uniqueName("tsfx");
  const h = newHost({ [name]: mode }, { ...options, dataDir: await tempDir("pp-data-") });
  await h.install(name, await copyPlugin(TS_FIXTURE_DIR, "tsfixture", name));
  return { host: h, name };
}

describe("plugin faults", () => {
  it("a plugin that closes its control socket but lives on is an error with that reason, and is restarted", async () => {
    const { host, name } = await hostWith("closecontrol", {
      restart: { firstDelayMs: 5_000, healthyDelayMs: 5_000 },
    });
    await host.source("counter", { ruleId: "rclose", opId: "op1" });
    const pid = host.status(name)?.pid;
    expect(pid).toBeGreaterThan(0);
    const status = await waitFor(
      "the closed channel to be noticed",
      () => {
        const s = host.status(name);
        return s?.lastReason ? s : undefined;
      },
      5_000,
      20,
    );
    expect(status).toMatchObject({
      status: "restarting",
      errMsg: "control channel closed by the plugin",
      lastReason: "control channel closed by the plugin",
      restarts: 1,
    });
    expect(pidAlive(pid)).toBe(false);
    expect(
      run.logger.lines.some((l) =>
        l.includes("control channel closed by the plugin while its process stays alive"),
      ),
    ).toBe(true);
    expect(run.logger.lines.some((l) => l.includes("signal: killed"))).toBe(false);
  });

  it("a plugin killed for not answering says so, not `signal: killed`", async () => {
    const { host, name } = await hostWith("mute", { timeouts: { commandMs: 1_000 } });
    const err = await host
      .source("counter", { ruleId: "rmute", opId: "op1" })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PORTABLE_E_TIMEOUT", plugin: name });
    const status = await waitFor("the kill", () => {
      const s = host.status(name);
      return s?.status === "error" ? s : undefined;
    });
    expect(status?.errMsg).toBe("control channel unresponsive (no answer within 1000 ms)");
  });

  it("raw garbage on the control socket fails the start at once, naming what arrived", async () => {
    const { host, name } = await hostWith("rawgarbage", { timeouts: { initMs: 20_000 } });
    const started = Date.now();
    const err = (await host.function("tsecho").catch((e: unknown) => e)) as HostError;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toMatchObject({ code: "PORTABLE_E_CHANNEL", plugin: name });
    const status = host.status(name);
    expect(status?.status).toBe("error");
    expect(status?.errMsg).toContain("protocol error on control channel");
    expect(status?.errMsg).toContain(Buffer.from("GET / HT").toString("hex"));
    expect(
      run.logger.lines.some((l) => l.startsWith("error ") && l.includes("protocol error")),
    ).toBe(true);
  });

  it("a source row announcing 800 MB is refused on its frame header, naming plugin, channel and size", async () => {
    const { host, name } = await hostWith("bigrow", { maxMessageBytes: 4 * 1024 * 1024 });
    const before = process.memoryUsage().arrayBuffers;
    const src = await host.source("counter", { ruleId: "rbig", opId: "op1" });
    const line = await waitFor(
      "the refused row",
      () => run.logger.lines.find((l) => l.includes("protocol error on source channel")),
      5_000,
      20,
    );
    expect(line).toMatch(
      new RegExp(
        `^error plugin ${name}: protocol error on source channel ipc://.*/rbig_op1_0\\.ipc: `,
      ),
    );
    expect(line).toContain("800000000 bytes");
    expect(line).toContain(`at most ${4 * 1024 * 1024} bytes`);
    expect(src.dropped).toBe(1);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50 * 1024 * 1024);
    expect(host.status(name)?.status).toBe("running");
  });

  it("a plugin calling itself by a running plugin's name is refused there, and its status says so", async () => {
    const dataDir = await tempDir("pp-data-");
    const owner = uniqueName("own");
    const impostor = uniqueName("imp");
    const h = newHost({ [`${impostor}:as`]: owner }, { dataDir });
    await h.install(owner, await copyPlugin(TS_FIXTURE_DIR, "tsfixture", owner));
    // The impostor: the same program under another package name, other symbols.
    const dir = await copyPlugin(TS_FIXTURE_DIR, "tsfixture", impostor);
    const manifest = JSON.parse(await readFile(join(dir, `${impostor}.json`), "utf8"));
    await writeFile(
      join(dir, `${impostor}.json`),
      JSON.stringify({ ...manifest, sources: ["icounter"], sinks: [], functions: [] }),
    );
    await mkdir(join(dir, "sources"), { recursive: true });
    await writeFile(join(dir, "sources", "icounter.yaml"), "default: {}\n");
    await h.install(impostor, dir);

    const src = await h.source("counter", { ruleId: "rown", opId: "op1" });
    const rows = src[Symbol.asyncIterator]();
    await nextWithin(rows, 10_000);
    const ownerPid = h.status(owner)?.pid;

    const err = await h
      .source("icounter", { ruleId: "rimp", opId: "op1" })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ plugin: impostor });
    expect(
      run.logger.lines.some((l) =>
        l.includes(
          `plugin ${owner}: refused a second connection to control channel ipc://${run.socketDir}/plugin_${owner}.ipc`,
        ),
      ),
    ).toBe(true);
    expect(h.status(impostor)?.errMsg).toContain(`probably calls itself "${owner}"`);
    // The plugin that owns the channel was not disturbed.
    expect(h.status(owner)).toMatchObject({ status: "running", pid: ownerPid });
    await nextWithin(rows, 10_000);
    const fn = await h.function("tsecho");
    expect(await fn.exec(["still mine"], { ruleId: "r", opId: "o" })).toBe("still mine");
  });
});

describe("restarts", () => {
  it("shows `restarting` (never `error`) while a killed plugin comes back, with the count and the reason", async () => {
    const { host, name } = await hostWith("normal");
    await host.source("counter", { ruleId: "rrs", opId: "op1" });
    const pid = host.status(name)?.pid as number;
    // Let it run healthy, then kill it as an operator (or the OOM killer) would.
    await new Promise((r) => setTimeout(r, 700));
    const seen: string[] = [];
    process.kill(pid, "SIGKILL");
    const back = await waitFor(
      "the plugin to come back",
      () => {
        const s = host.status(name);
        if (s) seen.push(s.status);
        return s?.status === "running" && s.pid !== pid ? s : undefined;
      },
      10_000,
      5,
    );
    expect(seen).toContain("restarting");
    expect(seen).not.toContain("error");
    expect(back).toMatchObject({
      status: "running",
      errMsg: "",
      restarts: 1,
      lastReason: "signal: killed",
    });
  });

  it("by default brings back a plugin killed every 0.7 s, again and again", async () => {
    const { host, name } = await hostWith("normal");
    const src = await host.source("counter", { ruleId: "rkill", opId: "op1" });
    const rows = src[Symbol.asyncIterator]();
    const kills = 8;
    const recoveries = await killRepeatedly(host, name, kills);
    // Each came back after the short healthy-run delay, not a doubling back-off.
    expect(Math.max(...recoveries), `recoveries ${recoveries.join(", ")} ms`).toBeLessThan(1_500);
    expect(host.status(name)).toMatchObject({ status: "running", restarts: kills });
    expect(host.info(name)?.phase).toBe("running");
    // The source resumes after each restart.
    await nextWithin(rows, 10_000);
  });

  it("by default brings back a plugin killed again the moment it is back: killed, not crashed", async () => {
    const { host, name } = await hostWith("normal");
    const src = await host.source("counter", { ruleId: "rkill0", opId: "op1" });
    const rows = src[Symbol.asyncIterator]();
    // More kills than maxRestarts (10), each as soon as the new process runs:
    // it never lives resetAfterMs, but a SIGKILL from outside is not a crash.
    const kills = 12;
    const recoveries = await killRepeatedly(host, name, kills, 0);
    expect(Math.max(...recoveries), `recoveries ${recoveries.join(", ")} ms`).toBeLessThan(1_500);
    expect(host.status(name)).toMatchObject({ status: "running", restarts: kills });
    await nextWithin(rows, 10_000);
  });
});
