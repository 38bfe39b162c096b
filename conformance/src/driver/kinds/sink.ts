// A sink's start and stop on the host's side: the host listens (PULL) on the
// sink's ack channel before the start and dials its data channel after `ok`;
// the stop closes both first (§5.1, §4.5).

import { type Meta, sinkAckChannelUrl, sinkChannelUrl } from "@portable-plugins/protocol";
import { listenHostEnd, symbolEndText } from "../host-listen.js";
import { SinkChannel } from "../sink-channel.js";
import type { KindDriver } from "./kind-driver.js";

export const sinkDriver: KindDriver = {
  async open(host, spec, control, previous) {
    const live = previous?.sink;
    let sink = live;
    if (!sink) {
      const meta = control.meta as Meta;
      const fresh = new SinkChannel(
        sinkChannelUrl(meta),
        sinkAckChannelUrl(meta),
        `sink:${spec.as}`,
        host.transcript,
      );
      await listenHostEnd(
        { listen: () => fresh.listenAck() },
        fresh.ackUrl,
        symbolEndText(fresh.ackUrl),
      );
      sink = fresh;
    }
    const opened = sink;
    return {
      sink: opened,
      async discard() {
        if (!live) await opened.close();
      },
      async settle() {
        await opened.dialData(host.opts.timeouts.sendMs);
        return undefined;
      },
    };
  },
  async close(inst) {
    await inst.sink?.close();
  },
  runsAfterStop: false,
  async replayed(_host, inst) {
    // Version 2 (§12.5): seq is 1 again for the first message after a replayed start.
    inst.sink?.restartSeq();
    return undefined;
  },
};
