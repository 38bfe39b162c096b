// Early deaths and name clashes with a real Go SDK plugin (examples/go-mirror,
// eKuiper's Go SDK, built here when missing): a Go plugin whose control dial
// fails panics, and its status errMsg carries the panic line; a Go plugin
// that calls itself by the name of a running plugin is refused on that
// plugin's control channel, which keeps serving its own process.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, copyFile, cp, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { PortableHost } from "../src/host.js";
import { tempDir } from "./helpers.js";
import {
  copyPlugin,
  filesMatching,
  killRepeatedly,
  nextWithin,
  TS_FIXTURE_DIR,
  TS_FIXTURE_ENV,
  uniqueName,
  useRuntimeSandbox,
} from "./runtime-helpers.js";

const GO_MIRROR = fileURLToPath(new URL("../../../examples/go-mirror", import.meta.url));
const BINARY = join(GO_MIRROR, "build", "mirror");
let host: PortableHost | undefined;

beforeAll(() => {
  if (existsSync(BINARY)) return;
  // A missing Go toolchain or SDK fails here (in CI as anywhere): no skip.
  execFileSync("bash", ["-c", "source ../../scripts/go-env.sh && go build -o build/mirror ."], {
    cwd: GO_MIRROR,
    stdio: "inherit",
  });
}, 600_000);

const run = useRuntimeSandbox({
  teardown: async () => {
    await host?.close();
    host = undefined;
  },
});

/** A folder for the Go mirror installed as plugin `name` (it still calls itself `mirror`). */
async function goPlugin(name: string): Promise<string> {
  const dir = join(await tempDir("host-go-src-"), name);
  await mkdir(dir, { recursive: true });
  for (const sub of ["sources", "sinks", "functions"]) {
    await cp(join(GO_MIRROR, sub), join(dir, sub), { recursive: true });
  }
  await copyFile(join(GO_MIRROR, "mirror.json"), join(dir, `${name}.json`));
  await copyFile(BINARY, join(dir, "mirror"));
  await chmod(join(dir, "mirror"), 0o755);
  return dir;
}

describe("Go SDK plugin faults", () => {
  it("a Go plugin that panics before its handshake has the panic line in its status", async () => {
    const socketDir = run.socketDir;
    const name = uniqueName("gopanic");
    host = new PortableHost({
      dataDir: await tempDir("pp-data-"),
      socketDir,
      logger: run.logger,
      env: { PORTABLE_PLUGIN_NAME: undefined },
      timeouts: { initMs: 15_000 },
    });
    await host.install(name, await goPlugin(name));
    // The Go SDK dials /tmp/plugin_mirror.ipc (it knows no other folder, and
    // no other name): nothing listens there, so it panics with exit status 2.
    const err = await host.function("echo").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PORTABLE_E_PROCESS", plugin: name });
    const status = host.status(name);
    expect(status?.status).toBe("error");
    expect(status?.errMsg).toMatch(/^exit status 2: panic: .*plugin_mirror\.ipc/);
    expect(status?.errMsg).toContain(`probably calls itself "mirror", not "${name}"`);
    expect(await filesMatching(socketDir, [".ipc"])).toEqual([]);
  });

  it("a Go plugin calling itself `mirror` cannot take over the running mirror's control channel", async () => {
    // The Go SDK knows only /tmp; the test runs in a private /tmp (see the brief).
    const socketDir = "/tmp";
    const impostor = uniqueName("goimp");
    host = new PortableHost({
      dataDir: await tempDir("pp-data-"),
      socketDir,
      logger: run.logger,
      env: (p) =>
        p.name === "mirror"
          ? { ...TS_FIXTURE_ENV, FIXTURE_MODE: "normal", PORTABLE_PLUGIN_NAME: "mirror" }
          : { PORTABLE_PLUGIN_NAME: undefined },
      timeouts: { initMs: 8_000, stopGraceMs: 2_000 },
    });
    // The plugin that owns the name: our TS fixture installed as `mirror`.
    const owner = await copyPlugin(TS_FIXTURE_DIR, "tsfixture", "mirror");
    await host.install("mirror", owner);
    await host.install(impostor, await goPlugin(impostor));
    const src = await host.source("counter", { ruleId: "rgo", opId: "op1" });
    const rows = src[Symbol.asyncIterator]();
    await nextWithin(rows, 10_000);
    const ownerPid = host.status("mirror")?.pid;

    const err = await host.function("echo").catch((e: unknown) => e);
    expect(err).toMatchObject({ plugin: impostor });
    expect(
      run.logger.lines.some((l) =>
        l.includes(
          "plugin mirror: refused a second connection to control channel ipc:///tmp/plugin_mirror.ipc",
        ),
      ),
    ).toBe(true);
    expect(host.status(impostor)?.errMsg).toContain('probably calls itself "mirror"');
    // The owner is undisturbed: same process, rows flowing, commands answered.
    expect(host.status("mirror")).toMatchObject({ status: "running", pid: ownerPid });
    await nextWithin(rows, 10_000);
    const fn = await host.function("tsecho");
    expect(await fn.exec(["mine"], { ruleId: "r", opId: "o" })).toBe("mine");
    await host.close();
    expect(await filesMatching(socketDir, ["plugin_mirror", `plugin_${impostor}`])).toEqual([]);
  });

  it("the Go mirror killed every 0.7 s keeps coming back, its source resuming", async () => {
    host = new PortableHost({
      dataDir: await tempDir("pp-data-"),
      socketDir: "/tmp",
      logger: run.logger,
      env: { PORTABLE_PLUGIN_NAME: undefined },
    });
    await host.install("mirror", await goPlugin("mirror"));
    const src = await host.source("random", { ruleId: "rgokill", opId: "op1" }, { confKey: "ext" });
    const rows = src[Symbol.asyncIterator]();
    await nextWithin(rows, 10_000);
    const recoveries = await killRepeatedly(host, "mirror", 6);
    expect(Math.max(...recoveries), `recoveries ${recoveries.join(", ")} ms`).toBeLessThan(1_500);
    expect(host.status("mirror")).toMatchObject({ restarts: 6, lastReason: "signal: killed" });
    await nextWithin(rows, 10_000);
  });
});
