// A source's start and stop on the host's side: the host listens (PULL) on
// the rule's source channel before the start and keeps a live listener of the
// same label across starts; the stop closes it first (§5.1, §4.4).

import { type Meta, sourceChannelUrl } from "@portable-plugins/protocol";
import { listenHostEnd, symbolEndText } from "../host-listen.js";
import { SourceChannel } from "../source-channel.js";
import type { KindDriver } from "./kind-driver.js";

export const sourceDriver: KindDriver = {
  async open(host, spec, control, previous) {
    const live = previous?.source && !previous.source.closed ? previous.source : undefined;
    const source =
      live ??
      new SourceChannel(
        sourceChannelUrl(control.meta as Meta),
        `source:${spec.as}`,
        host.transcript,
      );
    if (!live) await listenHostEnd(source, source.url, symbolEndText(source.url));
    return {
      source,
      async discard() {
        if (!live) await source.close();
      },
      async settle() {
        return undefined;
      },
    };
  },
  async close(inst) {
    await inst.source?.close();
  },
  runsAfterStop: false,
  async replayed() {
    return undefined;
  },
};
