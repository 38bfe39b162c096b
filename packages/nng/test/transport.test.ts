// Listeners and dialers: ipc socket files (stale, live, mode, cleanup), tcp ports, blocking and
// background dials, reconnects, and what close does to everything still pending.

import { spawn } from "node:child_process";
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NngError, PullSocket, PushSocket, RepSocket, ReqSocket } from "../src/index.js";
import { ipcPath, track, waitFor } from "./support.js";

describe("ipc listener", () => {
  it("creates the socket file with mode 0600 and removes it on close", async () => {
    const path = ipcPath();
    const pull = new PullSocket();
    await pull.listen(`ipc://${path}`);
    expect(statSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await pull.close();
    expect(existsSync(path)).toBe(false);
  });

  it("applies ipcMode when given", async () => {
    const path = ipcPath();
    const pull = track(new PullSocket({ ipcMode: 0o660 }));
    await pull.listen(`ipc://${path}`);
    expect(statSync(path).mode & 0o777).toBe(0o660);
  });

  it("replaces a stale socket file nobody listens on", async () => {
    const path = ipcPath();
    // A process killed while listening leaves its socket file behind.
    const child = spawn(
      process.execPath,
      [
        "-e",
        `require("node:net").createServer().listen(${JSON.stringify(path)}, () => console.log("up"))`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    await new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(statSync(path).isSocket()).toBe(true);

    const pull = track(new PullSocket());
    await pull.listen(`ipc://${path}`);
    const push = track(new PushSocket({ sendTimeout: 2000 }));
    await push.dial(`ipc://${path}`);
    await push.send("fresh");
    expect((await pull.recv()).toString()).toBe("fresh");
  });

  it("never steals a live listener's file: PORTABLE_E_ADDR_IN_USE naming the path", async () => {
    const path = ipcPath();
    const owner = track(new PullSocket());
    await owner.listen(`ipc://${path}`);
    const thief = track(new PullSocket());
    const error = await thief.listen(`ipc://${path}`).catch((e: unknown) => e);
    expect(NngError.is(error, "PORTABLE_E_ADDR_IN_USE")).toBe(true);
    expect((error as NngError).message).toContain(path);
    // The owner still works.
    const push = track(new PushSocket({ sendTimeout: 2000 }));
    await push.dial(`ipc://${path}`);
    await push.send("still mine");
    expect((await owner.recv()).toString()).toBe("still mine");
  });

  it("does not unlink a regular file in the way", async () => {
    const path = ipcPath();
    writeFileSync(path, "precious");
    try {
      const pull = track(new PullSocket());
      await expect(pull.listen(`ipc://${path}`)).rejects.toMatchObject({
        code: "PORTABLE_E_ADDR_IN_USE",
      });
      expect(existsSync(path)).toBe(true);
    } finally {
      rmSync(path, { force: true });
    }
  });

  it("refuses a path longer than a Unix socket allows with PORTABLE_E_BAD_URL", async () => {
    const pull = track(new PullSocket());
    await expect(pull.listen(`ipc:///tmp/${"x".repeat(120)}.ipc`)).rejects.toMatchObject({
      code: "PORTABLE_E_BAD_URL",
      message: expect.stringMatching(/bytes/),
    });
  });
});

describe("tcp listener", () => {
  it("binds port 0 to an ephemeral port and reports it", async () => {
    const rep = track(new RepSocket());
    const listener = await rep.listen("tcp://127.0.0.1:0");
    expect(listener.port).toBeGreaterThan(0);
    expect(listener.url).toBe(`tcp://127.0.0.1:${listener.port}`);
  });

  it("works over IPv6 loopback", async () => {
    const rep = track(new RepSocket({ recvTimeout: 5000 }));
    let listener: Awaited<ReturnType<RepSocket["listen"]>>;
    try {
      listener = await rep.listen("tcp://[::1]:0");
    } catch (err) {
      if (NngError.is(err, "PORTABLE_E_BAD_URL")) return; // host without IPv6
      throw err;
    }
    expect(listener.url).toBe(`tcp://[::1]:${listener.port}`);
    const req = track(new ReqSocket({ recvTimeout: 5000 }));
    await req.dial(listener.url);
    await req.send("v6");
    expect((await rep.recv()).toString()).toBe("v6");
  });

  it("reports a taken port as PORTABLE_E_ADDR_IN_USE", async () => {
    const a = track(new PullSocket());
    const { port } = await a.listen("tcp://127.0.0.1:0");
    const b = track(new PullSocket());
    await expect(b.listen(`tcp://127.0.0.1:${port}`)).rejects.toMatchObject({
      code: "PORTABLE_E_ADDR_IN_USE",
    });
  });

  it("closing a listener closes the pipes it accepted", async () => {
    const pull = track(new PullSocket());
    const listener = await pull.listen("tcp://127.0.0.1:0");
    const push = track(new PushSocket({ reconnectTime: 60_000 }));
    await push.dial(listener.url);
    await waitFor(() => pull.pipeCount === 1);
    await listener.close();
    expect(pull.pipeCount).toBe(0);
    await waitFor(() => push.pipeCount === 0);
  });
});

describe("dialer", () => {
  it("throws PORTABLE_E_CONNECT from a blocking dial when nothing listens", async () => {
    const req = track(new ReqSocket());
    await expect(req.dial(`ipc://${ipcPath()}`)).rejects.toMatchObject({
      code: "PORTABLE_E_CONNECT",
    });
    const { port } = await track(new PullSocket()).listen("tcp://127.0.0.1:0");
    const closedPort = port;
    await track(new PullSocket()).close();
    await expect(
      track(new PushSocket()).dial(`tcp://127.0.0.1:${closedPort}`),
    ).resolves.toBeUndefined();
  });

  it("keeps trying in the background with blocking: false, and connects once a listener appears", async () => {
    const url = `ipc://${ipcPath()}`;
    const push = track(new PushSocket({ reconnectTime: 20, sendTimeout: 5000 }));
    const errors: string[] = [];
    push.onPipeEvent((e) => e.type === "error" && errors.push(e.error.code));
    await push.dial(url, { blocking: false });
    await waitFor(() => errors.length >= 2);
    expect(new Set(errors)).toEqual(new Set(["PORTABLE_E_CONNECT"]));
    const pull = track(new PullSocket({ recvTimeout: 5000 }));
    await pull.listen(url);
    await push.connected(5000);
    await push.send("made it");
    expect((await pull.recv()).toString()).toBe("made it");
  });

  it("reconnects after an established connection drops", async () => {
    const url = `ipc://${ipcPath()}`;
    const first = track(new PullSocket());
    await first.listen(url);
    const push = track(new PushSocket({ reconnectTime: 20, sendTimeout: 5000 }));
    await push.dial(url);
    await first.close();
    await waitFor(() => push.pipeCount === 0);
    const second = track(new PullSocket({ recvTimeout: 5000 }));
    await second.listen(url);
    await push.connected(5000);
    await push.send("back");
    expect((await second.recv()).toString()).toBe("back");
  });

  it("backs off by doubling reconnectTime up to reconnectMaxTime", async () => {
    const url = `ipc://${ipcPath()}`;
    const push = track(new PushSocket({ reconnectTime: 10, reconnectMaxTime: 80 }));
    const at: number[] = [];
    push.onPipeEvent((e) => e.type === "error" && at.push(Date.now()));
    await push.dial(url, { blocking: false });
    await waitFor(() => at.length >= 7, 5000);
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    // 10, 20, 40, 80, 80, 80: the later gaps are clearly longer than the first ones.
    expect(Math.min(...gaps.slice(3))).toBeGreaterThanOrEqual(60);
    expect(gaps[0]).toBeLessThan(60);
  });
});

describe("socket lifecycle", () => {
  it("rejects pending operations with PORTABLE_E_CLOSED and is idempotent", async () => {
    const pull = new PullSocket();
    const push = new PushSocket();
    const rep = new RepSocket();
    const pending = [pull.recv(), push.send("nobody"), rep.recv(), pull.connected()];
    const closes = [pull.close(), pull.close(), push.close(), rep.close()];
    for (const p of pending) await expect(p).rejects.toMatchObject({ code: "PORTABLE_E_CLOSED" });
    await Promise.all(closes);
    await expect(pull.recv()).rejects.toMatchObject({ code: "PORTABLE_E_CLOSED" });
    await expect(pull.listen(`ipc://${ipcPath()}`)).rejects.toMatchObject({
      code: "PORTABLE_E_CLOSED",
    });
  });

  it("connected() resolves once a peer is there, or times out", async () => {
    const url = `ipc://${ipcPath()}`;
    const pull = track(new PullSocket());
    await expect(pull.connected(30)).rejects.toMatchObject({ code: "PORTABLE_E_TIMEOUT" });
    await pull.listen(url);
    const waiting = pull.connected(5000);
    await track(new PushSocket()).dial(url);
    await expect(waiting).resolves.toBeUndefined();
  });

  it("reports added and removed pipe events", async () => {
    const url = `ipc://${ipcPath()}`;
    const pull = track(new PullSocket());
    const seen: string[] = [];
    pull.on("pipe", (e) => seen.push(`${e.type}:${"pipe" in e && e.pipe ? e.pipe.side : ""}`));
    await pull.listen(url);
    const push = new PushSocket();
    await push.dial(url);
    await waitFor(() => seen.length === 1);
    await push.close();
    await waitFor(() => seen.length === 2);
    expect(seen).toEqual(["added:listen", "removed:listen"]);
  });
});
