// The host's half of the channels, just enough to drive the SDK runtime over
// the real wire in tests (the full host lives in @portable-plugins/host).

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PullSocket, PushSocket, RepSocket } from "@portable-plugins/nng";
import {
  Command,
  type Control,
  controlChannelUrl,
  decodeAnswer,
  functionChannelUrl,
  isHandshake,
  type Meta,
  sinkAckChannelUrl,
  sinkChannelUrl,
  sourceChannelUrl,
  startsLikeHandshake,
} from "@portable-plugins/protocol";

let seq = 0;
export const uniqueName = (base: string) => `${base}${process.pid}x${++seq}`;

export function socketDir(): { dir: string; files: () => string[]; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "sdk-"));
  return {
    dir,
    files: () => readdirSync(dir),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Holds the plugin's pending request, as the host does, and sends commands as replies. */
export class ControlHost {
  readonly rep = new RepSocket({ recvTimeout: 5000, sendTimeout: 5000 });
  readonly received: Buffer[] = [];
  constructor(
    readonly plugin: string,
    readonly dir: string,
  ) {}

  async listen(): Promise<this> {
    await this.rep.listen(controlChannelUrl(this.plugin, this.dir));
    return this;
  }

  async recv(): Promise<Buffer> {
    const m = await this.rep.recv();
    this.received.push(m);
    return m;
  }

  async handshake(): Promise<void> {
    const m = await this.recv();
    if (!isHandshake(m)) throw new Error(`expected handshake, got ${m.toString()}`);
  }

  /** Sends a command and returns the answer text, re-sending on a keepalive handshake (§5.2). */
  async command(cmd: "start" | "stop", arg: Control): Promise<string> {
    const bytes = Command.encode({ cmd, arg });
    for (;;) {
      await this.rep.send(bytes);
      const answer = await this.recv();
      if (startsLikeHandshake(answer)) continue;
      const a = decodeAnswer(answer);
      return a.ok ? "ok" : a.error;
    }
  }

  close(): Promise<void> {
    return this.rep.close();
  }
}

export const meta = (ruleId: string, instanceId = 0): Meta => ({ ruleId, opId: "op1", instanceId });

export async function sourceListener(m: Meta, dir: string): Promise<PullSocket> {
  const pull = new PullSocket({ recvTimeout: 5000 });
  await pull.listen(sourceChannelUrl(m, dir));
  return pull;
}

export async function sinkSockets(
  m: Meta,
  dir: string,
): Promise<{ ack: PullSocket; connect: () => Promise<PushSocket> }> {
  const ack = new PullSocket({ recvTimeout: 3000 });
  await ack.listen(sinkAckChannelUrl(m, dir));
  return {
    ack,
    connect: async () => {
      const push = new PushSocket({ sendTimeout: 3000 });
      await push.dial(sinkChannelUrl(m, dir));
      return push;
    },
  };
}

export async function functionListener(symbol: string, dir: string): Promise<RepSocket> {
  const rep = new RepSocket({ recvTimeout: 5000, sendTimeout: 5000 });
  await rep.listen(functionChannelUrl(symbol, dir));
  return rep;
}
