// One host per plugins folder: the lock file names its owner's pid; a second
// host (in this process or another) is refused while the owner lives, and a
// lock whose owner is dead, or that is damaged, is taken over.

import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import { PortableHost } from "../src/host.js";
import { tempDir } from "./helpers.js";

const hosts: PortableHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

function host(dataDir: string): PortableHost {
  const h = new PortableHost({ dataDir, socketDir: join(dataDir, "sockets") });
  hosts.push(h);
  return h;
}

const lockPath = (dataDir: string) => join(dataDir, "plugins", "portable", ".host.lock");
const owner = async (dataDir: string) =>
  (JSON.parse(await readFile(lockPath(dataDir), "utf8")) as { pid: number }).pid;

/** A process that has already exited: its pid is free. */
async function deadPid(): Promise<number> {
  const child = spawn("true");
  await new Promise((done) => child.once("exit", done));
  return child.pid as number;
}

describe("data folder lock", () => {
  it("refuses a second host on the same folder until the first closes", async () => {
    const dataDir = await tempDir();
    await host(dataDir).load();
    expect(await owner(dataDir)).toBe(process.pid);
    const second = host(dataDir);
    const err = await second.load().catch((e: unknown) => e);
    expect(HostError.is(err, "PORTABLE_E_LOCKED")).toBe(true);
    expect((err as Error).message).toMatch(
      /the plugins folder .* is in use by another host \(another host in this process, since /,
    );
    const installErr = await second.install("x", dataDir).catch((e: unknown) => e);
    expect(HostError.is(installErr, "PORTABLE_E_LOCKED")).toBe(true);
    await hosts[0]?.close();
    await expect(second.load()).resolves.toMatchObject({ loaded: [] });
  });

  it("refuses while another live process owns the lock, and takes it over once that process is gone", async () => {
    const dataDir = await tempDir();
    await host(dataDir).load();
    await hosts.splice(0)[0]?.close();
    const other = spawn("sleep", ["30"]);
    try {
      await writeFile(
        lockPath(dataDir),
        JSON.stringify({ pid: other.pid, id: "elsewhere", since: "then" }),
      );
      const err = await host(dataDir)
        .load()
        .catch((e: unknown) => e);
      expect((err as Error).message).toMatch(
        new RegExp(`in use by another host \\(pid ${other.pid}, since then\\)`),
      );
    } finally {
      other.kill("SIGKILL");
      await new Promise((done) => other.once("exit", done));
    }
    await host(dataDir).load();
    expect(await owner(dataDir)).toBe(process.pid);
  });

  it.each([
    ["a dead pid", async () => JSON.stringify({ pid: await deadPid(), id: "gone" })],
    ["damaged content", async () => ""],
  ])("takes over a stale lock with %s", async (_title, content) => {
    const dataDir = await tempDir();
    await host(dataDir).load();
    await hosts.splice(0)[0]?.close();
    await writeFile(lockPath(dataDir), await content());
    await host(dataDir).load();
    expect(await owner(dataDir)).toBe(process.pid);
  });
});
